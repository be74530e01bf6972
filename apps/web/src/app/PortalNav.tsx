import { MenuOutlined } from "@ant-design/icons";
import { Button } from "antd";
import { useEffect, useRef, useState } from "react";
import { Link, useLocation } from "react-router";
import "./portal-nav.css";

export interface NavEntry {
  path: string;
  label: string;
}

/** The area of the portal a path belongs to: `/orders/12/receipt` → `/orders`. */
export function navArea(pathname: string): string {
  return pathname === "/" ? "/" : `/${pathname.split("/")[1]}`;
}

/**
 * The portal's top links as plain links (no antd Menu: the frame loads with every page, and a menu
 * with its overflow and popup machinery was a fifth of the login page's JavaScript).
 */
export function PortalNav({ entries }: { entries: readonly NavEntry[] }) {
  const area = navArea(useLocation().pathname);
  return (
    <nav className="portal-nav">
      {entries.map((e) => (
        <Link key={e.path} to={e.path} className={e.path === area ? "active" : undefined}>
          {e.label}
        </Link>
      ))}
    </nav>
  );
}

/**
 * On a phone: one button that opens the same links as a sheet under the header, closed again by a
 * choice, a tap outside it or Escape.
 */
export function PortalNavSheet({
  entries,
  label,
}: {
  entries: readonly (NavEntry | "divider")[];
  label: string;
}) {
  const [open, setOpen] = useState(false);
  const location = useLocation();
  const area = navArea(location.pathname);
  const ref = useRef<HTMLDivElement>(null);

  // biome-ignore lint/correctness/useExhaustiveDependencies: a navigation closes the sheet.
  useEffect(() => setOpen(false), [location.pathname]);
  useEffect(() => {
    if (!open) return;
    const onKey = (e: KeyboardEvent) => e.key === "Escape" && setOpen(false);
    const onDown = (e: PointerEvent) => {
      if (ref.current && !ref.current.contains(e.target as Node)) setOpen(false);
    };
    document.addEventListener("keydown", onKey);
    document.addEventListener("pointerdown", onDown);
    return () => {
      document.removeEventListener("keydown", onKey);
      document.removeEventListener("pointerdown", onDown);
    };
  }, [open]);

  return (
    <div ref={ref}>
      <Button
        icon={<MenuOutlined />}
        aria-label={label}
        aria-expanded={open}
        aria-controls="portal-nav-sheet"
        onClick={() => setOpen((o) => !o)}
      />
      {open ? (
        <nav id="portal-nav-sheet" className="portal-nav-sheet" aria-label={label}>
          {entries.map((e, i) =>
            e === "divider" ? (
              // biome-ignore lint/suspicious/noArrayIndexKey: dividers have no identity of their own.
              <hr key={`divider-${i}`} />
            ) : (
              <Link key={e.path} to={e.path} className={e.path === area ? "active" : undefined}>
                {e.label}
              </Link>
            ),
          )}
        </nav>
      ) : null}
    </div>
  );
}
