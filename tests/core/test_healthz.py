import pytest
from django.test import Client as HttpClient


@pytest.mark.django_db
def test_healthz_answers_200_when_the_database_answers(client: HttpClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


def test_anonymous_home_goes_to_login(client: HttpClient, db: None) -> None:
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
