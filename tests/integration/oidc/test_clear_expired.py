"""The nightly job removes expired codes and ID tokens with their sign-in facts."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from oauth2_provider.models import Grant, IDToken

from anbao.jobs import result, submit
from anbao.jobs.schedules import by_name
from anbao.oidc.models import SignInContext

pytestmark = pytest.mark.django_db


def test_nightly_job_removes_expired_grants_and_id_tokens(settings, oidc_client, make_user):
    settings.ANBAO_JOB_BACKEND = "eager"
    user = make_user("zhao", "engineer")
    past, future = timezone.now() - timedelta(hours=1), timezone.now() + timedelta(hours=1)
    for n, expires in enumerate((past, future)):
        grant = Grant.objects.create(
            application=oidc_client,
            user=user,
            code=f"code-{n}",
            expires=expires,
            redirect_uri="https://mhis.example/cb",
            scope="openid",
        )
        token = IDToken.objects.create(
            application=oidc_client,
            user=user,
            jti=f"0000000{n}-0000-0000-0000-000000000000",
            expires=expires,
            scope="openid",
        )
        SignInContext.objects.create(grant=grant, user=user, amr=["pwd"])
        SignInContext.objects.create(id_token=token, user=user, amr=["pwd"])

    job = submit(by_name("oidc-clear-expired-daily").kind, {}, user=None)
    assert result(job.id) == {"sign_in_records_removed": 2}
    assert list(Grant.objects.values_list("code", flat=True)) == ["code-1"]
    assert IDToken.objects.count() == 1 and SignInContext.objects.count() == 2
