import { useEffect, useRef, useState } from "react";
import { Link, NavLink, Outlet, useNavigate } from "react-router";
import { VerifyBanner } from "../features/auth/components/VerifyBanner";
import { useApi, useSession, useSessionState } from "../lib/auth/context";
import { SIGNED_OUT } from "../lib/auth/session";
import { LANGUAGES, parseLanguage } from "../lib/i18n";
import { useI18n } from "../lib/i18nContext";
import { NotificationBell } from "../features/notifications/components/NotificationBell";
import { useSections } from "../features/admin/hooks/useCan";

function UserMenu() {
  const api = useApi();
  const session = useSession();
  const state = useSessionState();
  const navigate = useNavigate();
  const { t } = useI18n();
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
        <span className="menu__email">{state.email ?? t("menu.account")}</span>
      </button>
      {open ? (
        <ul className="menu__list" aria-label={t("menu.account")} onClick={() => setOpen(false)}>
          <li>
            <Link to="/kyc">{t("menu.kyc")}</Link>
          </li>
          <li>
            <Link to="/settings/profile">{t("menu.profile")}</Link>
          </li>
          <li>
            <Link to="/settings/notifications">{t("menu.notifications")}</Link>
          </li>
          <li>
            <Link to="/settings/sessions">{t("menu.sessions")}</Link>
          </li>
          <li>
            <Link to="/settings/2fa">{t("menu.2fa")}</Link>
          </li>
          <li>
            <Link to="/settings/api-keys">{t("menu.apiKeys")}</Link>
          </li>
          <li>
            <button type="button" onClick={() => void signOut()}>
              {t("menu.signOut")}
            </button>
          </li>
        </ul>
      ) : null}
    </div>
  );
}

/** English ⇄ العربية in the top bar (saved to the profile when signed in). */
function LanguageSwitch() {
  const { t, language, setLanguage } = useI18n();
  return (
    <select
      className="lang-switch"
      aria-label={t("nav.language")}
      value={language}
      onChange={(e) => {
        const next = parseLanguage(e.target.value);
        if (next) void setLanguage(next).catch(() => undefined);
      }}
    >
      {LANGUAGES.map((l) => (
        <option key={l} value={l} lang={l}>
          {l === "ar" ? "العربية" : "English"}
        </option>
      ))}
    </select>
  );
}

export function Layout() {
  const state = useSessionState();
  const { t } = useI18n();
  // the console's link shows when /me's permissions (the roles' mirror until read) open a section
  const staff = useSections().length > 0;
  return (
    <>
      <a href="#main" className="skip-link">
        {t("nav.skip")}
      </a>
      <header className="topbar">
        <Link to="/" className="brand" aria-label="Burency home">
          Burency
        </Link>
        <nav aria-label={t("nav.main")} className="topbar__nav">
          <NavLink to="/markets">{t("nav.markets")}</NavLink>
          {state.status === "signedIn" ? (
            <>
              <NavLink to="/wallet">{t("nav.wallet")}</NavLink>
              {staff ? <NavLink to="/admin">{t("nav.admin")}</NavLink> : null}
            </>
          ) : null}
        </nav>
        <div className="topbar__end">
          <LanguageSwitch />
          {state.status === "signedIn" ? (
            <>
              <NotificationBell />
              <UserMenu />
            </>
          ) : state.status === "signedOut" ? (
            <>
              <NavLink to="/login">{t("nav.signIn")}</NavLink>
              <NavLink to="/register" className="button button--primary">
                {t("nav.register")}
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
  const { t } = useI18n();
  return (
    <section className="card">
      <h1>{t("account.notFound")}</h1>
      <p>
        <Link to="/">{t("account.home")}</Link>
      </p>
    </section>
  );
}
