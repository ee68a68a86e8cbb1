"""notifications: scrub reset and verification links stored before they became secrets

Revision ID: 0004
Revises: 0003

Before issue #13 the in-app feed showed password-reset and e-mail-verification links,
and the stored notification kept them (with the raw token). A stolen session could
still read a link issued shortly before the upgrade, so:

* in-app items of ``auth.password_reset`` / ``auth.verify_email`` get the secret-free
  text they have now (in the recipient's language);
* their ``notification.in_app.created`` outbox rows (the live-push copies) are deleted;
* the stored data of those notifications is emptied, except while an e-mail delivery
  is still queued (the worker drops the link once it is out).

The texts are copied here on purpose: a migration must not change with the templates.
Downgrade has nothing to restore.
"""

from __future__ import annotations

import json

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

_EVENTS = ("auth.password_reset", "auth.verify_email")
_TEXT = {
    ("auth.password_reset", "en"): "A password reset was requested for your account. The link "
    "was sent to your e-mail address only. Not you? Your password stays unchanged; consider "
    "changing it and signing out other sessions.",
    ("auth.password_reset", "ar"): "طُلبت إعادة تعيين كلمة المرور لحسابك. أُرسل الرابط إلى بريدك "
    "الإلكتروني فقط. إذا لم تكن أنت فكلمة مرورك لم تتغير؛ ننصحك بتغييرها وتسجيل الخروج من "
    "الجلسات الأخرى.",
    ("auth.verify_email", "en"): "We sent a link to your e-mail address to confirm it. Open it "
    "from your mailbox. Not you? You can ignore it.",
    ("auth.verify_email", "ar"): "أرسلنا رابطاً إلى بريدك الإلكتروني لتأكيده. افتحه من صندوق "
    "بريدك. إذا لم تكن أنت فيمكنك تجاهلها.",
}

_in_app = sa.table(
    "in_app", sa.column("id"), sa.column("user_id"), sa.column("event"), sa.column("body")
)
_recipients = sa.table("recipients", sa.column("user_id"), sa.column("language"))
_notifications = sa.table(
    "notifications", sa.column("id"), sa.column("event"), sa.column("data", sa.JSON)
)
_deliveries = sa.table(
    "deliveries", sa.column("notification_id"), sa.column("channel"), sa.column("status")
)
_outbox = sa.table("outbox", sa.column("seq"), sa.column("topic"), sa.column("body"))


def _scrub_feed(conn: sa.Connection) -> None:
    rows = conn.execute(
        sa.select(_in_app.c.id, _in_app.c.event, _recipients.c.language)
        .select_from(_in_app.outerjoin(_recipients, _recipients.c.user_id == _in_app.c.user_id))
        .where(_in_app.c.event.in_(_EVENTS))
    ).all()
    for row in rows:
        language = row.language if row.language == "ar" else "en"
        body = _TEXT[(row.event, language)]
        conn.execute(sa.update(_in_app).where(_in_app.c.id == row.id).values(body=body))


def _scrub_live_copies(conn: sa.Connection) -> None:
    rows = conn.execute(
        sa.select(_outbox.c.seq, _outbox.c.body).where(
            _outbox.c.topic == "notification.in_app.created"
        )
    ).all()
    for row in rows:
        payload = json.loads(bytes(row.body)).get("payload", {})
        if payload.get("event") in _EVENTS:
            conn.execute(sa.delete(_outbox).where(_outbox.c.seq == row.seq))


def _scrub_stored_data(conn: sa.Connection) -> None:
    pending = (
        sa.select(_deliveries.c.notification_id)
        .where(_deliveries.c.channel == "email", _deliveries.c.status == "queued")
        .scalar_subquery()
    )
    conn.execute(
        sa.update(_notifications)
        .where(_notifications.c.event.in_(_EVENTS), _notifications.c.id.not_in(pending))
        .values(data={})
    )


def upgrade() -> None:
    conn = op.get_bind()
    _scrub_feed(conn)
    _scrub_live_copies(conn)
    _scrub_stored_data(conn)


def downgrade() -> None:
    """Nothing to restore: the links are gone on purpose."""
