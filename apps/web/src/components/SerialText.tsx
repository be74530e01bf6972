import { Typography } from "antd";
import { serialGroups } from "../lib/serial";

/**
 * A certificate serial in the app's display form (upper-case colon pairs) that wraps only between its
 * two halves, never into fragments; the copy button copies the raw hex the API takes.
 */
export function SerialText({ hex, copyable = false }: { hex: string; copyable?: boolean }) {
  return (
    <Typography.Text code copyable={copyable ? { text: hex } : false} className="serial-text">
      {serialGroups(hex).map((g) => (
        <span key={g} className="serial-group">
          {g}
        </span>
      ))}
    </Typography.Text>
  );
}
