import { Spin } from "antd";
import type { Key, ReactNode } from "react";

/**
 * What a table becomes on a phone: one card per row, everything a row says readable without sideways
 * scrolling. Each card is a list item; `card` draws its inside (className adds is-selected/is-blocked).
 */
export function CardList<T>({
  items,
  rowKey,
  card,
  className,
  loading = false,
  empty,
  label,
}: {
  items: readonly T[];
  rowKey: (item: T) => Key;
  card: (item: T) => ReactNode;
  className?: (item: T) => string | undefined;
  loading?: boolean;
  empty: ReactNode;
  /** The list's accessible name. */
  label?: string;
}) {
  return (
    <Spin spinning={loading}>
      {items.length === 0 && !loading ? (
        <div className="card-list-empty">{empty}</div>
      ) : (
        <ul className="card-list" aria-label={label}>
          {items.map((item) => (
            <li key={rowKey(item)} className={["list-card", className?.(item)].filter(Boolean).join(" ")}>
              {card(item)}
            </li>
          ))}
        </ul>
      )}
    </Spin>
  );
}
