"""In-app notifications with e-mail copies, once per topic."""

import pytest
from django.core import mail

from anbao.notifications.models import Notification
from anbao.notifications.services import notify, users_with_role

pytestmark = pytest.mark.django_db


def test_notify_once_per_topic_with_email(settings, make_user):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    a = make_user("sec1", "security_admin", email="sec1@example.cn")
    b = make_user("sec2", "security_admin")
    made = notify(
        users_with_role("security_admin"),
        "证书即将到期",
        "张三的证书 30 天后到期",
        level=Notification.WARNING,
        topic="expiry:ABC",
    )
    assert {n.user for n in made} == {a, b}
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["sec1@example.cn"]
    assert notify([a, b], "again", topic="expiry:ABC") == []
    assert len(notify([a], "no topic")) == 1 and len(notify([a], "no topic")) == 1


def test_inbox_shows_and_marks_read(client, make_user):
    user = make_user("holder1", "holder")
    notify([user], "您的证书将于 30 天后到期", email=False)
    client.force_login(user)
    page = client.get("/notifications/")
    assert "您的证书将于 30 天后到期" in page.content.decode()
    assert client.get("/").context["unread_notifications"] == 1
    client.post("/notifications/read/")
    assert Notification.objects.get().read_at is not None
