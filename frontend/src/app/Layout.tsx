import { useEffect, useRef, useState } from "react";
import { Link, NavLink, Outlet, useNavigate } from "react-router";
import { VerifyBanner } from "../features/auth/components/VerifyBanner";
import { hasAnyRole, useApi, useSession, useSessionState } from "../lib/auth/context";
import { SIGNED_OUT } from "../lib/auth/session";

function UserMenu() {
  const api = useApi();
  const session = useSession();
  const state = useSessionState();
  const navigate = useNavigate();
  const [open, setOpen] = useState(false);
  const menu = useRef<HTMLDivElement>(null);

  useEffect(() => {
    if (!open) return;
    const close = (event: MouseEvent | KeyboardEvent) => {
      if (event instanceof KeyboardEvent ? event.key === "Escape" : !menu.current?.contains(event.target as Node)) {
        setOpen(false);
      }
    };
    document.addEventListener("mousedown", close);
    document.addEventListener("keydown", close);
    return () => {
      document.removeEventListener("mousedown", close);
      document.removeEventListener("keydown", close);
    };
  }, [open]);

  const signOut = async () => {
    await api.POST("/api/auth/v1/logout").catch(() => undefined);
    session.signOut(SIGNED_OUT);
    void navigate("/login", { replace: true });
  };

  return (
    <div className="menu" ref={menu}>
      <button
        type="button"
        className="menu__button"
        aria-haspopup="true"
        aria-expanded={open}
        onClick={() => setOpen((v) => !v)}
      >
        <span className="menu__avatar" aria-hidden="true">
          {(state.email ?? "?").charAt(0).toUpperCase()}
        </span>
        <span className="menu__email">{state.email ?? "Account"}</span>
      </button>
      {open ? (
        <ul className="menu__list" aria-label="Account" onClick={() => setOpen(false)}>
          <li>
            <Link to="/kyc">Verification (KYC)</Link>
          </li>
          <li>
            <Link to="/settings/sessions">Sessions</Link>
          </li>
          <li>
            <Link to="/settings/2fa">Two-factor authentication</Link>
          </li>
          <li>
            <Link to="/settings/api-keys">API keys</Link>
          </li>
          <li>
            <button type="button" onClick={() => void signOut()}>
              Sign out
            </button>
          </li>
        </ul>
      ) : null}
    </div>
  );
}

export function Layout() {
  const state = useSessionState();
  const staff = hasAnyRole(state, ["admin", "compliance"]);
  return (
    <>
      <a href="#main" className="skip-link">
        Skip to content
      </a>
      <header className="topbar">
        <Link to="/" className="brand" aria-label="Burency home">
          Burency
        </Link>
        <nav aria-label="Main" className="topbar__nav">
          <NavLink to="/markets">Markets</NavLink>
          {state.status === "signedIn" ? (
            <>
              <NavLink to="/wallet">Wallet</NavLink>
              {staff ? <NavLink to="/admin">Admin</NavLink> : null}
            </>
          ) : null}
        </nav>
        <div className="topbar__end">
          {state.status === "signedIn" ? (
            <UserMenu />
          ) : state.status === "signedOut" ? (
            <>
              <NavLink to="/login">Sign in</NavLink>
              <NavLink to="/register" className="button button--primary">
                Register
              </NavLink>
            </>
          ) : null}
        </div>
      </header>
      <VerifyBanner />
      <main id="main" tabIndex={-1}>
        <Outlet />
      </main>
    </>
  );
}

export function NotFound() {
  return (
    <section className="card">
      <h1>Page not found</h1>
      <p>
        <Link to="/">Go to the start page</Link>
      </p>
    </section>
  );
}
