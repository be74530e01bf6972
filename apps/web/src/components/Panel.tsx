import type { CSSProperties, ReactNode } from "react";
import "./panel.css";

/**
 * A titled white box drawn like antd's Card, for the sign-in pages: antd's Card brings its Tabs (and
 * through them a menu and a dropdown) with it, more than the login form itself weighs.
 */
export function Panel({
  title,
  children,
  style,
}: {
  title?: ReactNode;
  children: ReactNode;
  style?: CSSProperties;
}) {
  return (
    <section className="panel" style={style}>
      {title ? <h2 className="panel-head">{title}</h2> : null}
      <div className="panel-body">{children}</div>
    </section>
  );
}
