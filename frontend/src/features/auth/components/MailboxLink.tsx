import { Link } from "react-router";
import { useMailboxAvailable } from "../hooks/useMailboxAvailable";

/** Shown only where the embedded-mode mailbox exists. */
export function MailboxLink() {
  if (!useMailboxAvailable()) return null;
  return (
    <p className="dev-note">
      <strong>Embedded mode:</strong> no e-mail leaves this machine.{" "}
      <Link to="/dev/mailbox">Open the dev mailbox</Link> to read the messages sent.
    </p>
  );
}
