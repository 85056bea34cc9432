"""Sign-in and tenancy: the login page and cookie, bearer tokens, 401s, and another tenant's data as 404."""

from __future__ import annotations

from rest_support import FIXTURES, assert_problem, deploy, execute, run

from cadenza.api.rest.wiring import LocalApi
from cadenza.identity import Principal, User, UserDirectory, hash_password

FIXTURE = FIXTURES / "charge-and-wait.bpmn"


def _users() -> UserDirectory:
    def user(name: str, groups: tuple[str, ...], tenants: tuple[str, ...]) -> User:
        return User(Principal(name, name.title(), groups, tenants), hash_password(f"{name}-secret"))

    return UserDirectory(
        [user("ann", ("approvers",), ("<default>",)), user("eve", ("approvers",), ("acme",))]
    )


def test_requests_without_a_valid_token_get_401_and_a_token_gives_me(store_url: str) -> None:
    async def scenario(api: LocalApi) -> None:
        anonymous = api.client(None)
        assert_problem(await anonymous.get("/v1/me"), 401, "sign in")
        assert (await anonymous.get("/v1/me")).headers["www-authenticate"] == "Bearer"
        assert_problem(await anonymous.get("/v1/tasks"), 401, "sign in")
        forged = await anonymous.get("/v1/me", headers={"Authorization": "Bearer abc.def"})
        assert_problem(forged, 401, "signature")
        wrong = await anonymous.post("/v1/auth/token", json={"username": "ann", "password": "nope"})
        assert_problem(wrong, 401, "wrong password")
        token = await anonymous.post("/v1/auth/token", json={"username": "ann", "password": "ann-secret"})
        assert token.status_code == 200 and token.json()["token_type"] == "Bearer"
        me = await anonymous.get(
            "/v1/me", headers={"Authorization": f"Bearer {token.json()['access_token']}"}
        )
        assert me.json() == {
            "username": "ann",
            "name": "Ann",
            "groups": ["approvers"],
            "tenants": ["<default>"],
        }
        assert (await anonymous.get("/health")).status_code == 200
        assert (await anonymous.get("/ready")).json()["status"] == "READY"

    run(store_url, scenario, users=_users())


def test_the_login_form_sets_a_session_cookie_and_redirects_only_to_local_paths(store_url: str) -> None:
    async def scenario(api: LocalApi) -> None:
        browser = api.client(None)
        page = await browser.get("/auth/login?next=/tasklist/")
        assert page.status_code == 200 and 'name="next" value="/tasklist/"' in page.text
        refused = await browser.post(
            "/auth/login", data={"username": "ann", "password": "x", "next": "/tasklist/"}
        )
        assert refused.status_code == 401 and "wrong password" in refused.text
        assert "cadenza_session" not in refused.cookies
        signed_in = await browser.post(
            "/auth/login", data={"username": "ann", "password": "ann-secret", "next": "https://evil.example/"}
        )
        assert signed_in.status_code == 303 and signed_in.headers["location"] == "/tasklist/"
        cookie = signed_in.headers["set-cookie"]
        assert "cadenza_session=" in cookie and "HttpOnly" in cookie and "SameSite=lax" in cookie
        browser.cookies.set("cadenza_session", signed_in.cookies["cadenza_session"])
        assert (await browser.get("/v1/me")).json()["username"] == "ann"
        logged_out = await browser.post("/auth/logout")
        assert logged_out.status_code == 303 and 'cadenza_session=""' in logged_out.headers["set-cookie"]

    run(store_url, scenario, users=_users())


def test_another_tenants_data_is_not_found(store_url: str) -> None:
    async def scenario(api: LocalApi) -> None:
        ann, eve = api.client("ann"), api.client("eve")
        deployed = await deploy(ann, FIXTURE)
        key = await execute(ann, "charge-and-wait", {"orderId": "t-1"})
        workflow = deployed["processes"][0]["key"]
        assert_problem(await eve.get(f"/v1/executions/{key}"), 404, "no execution")
        assert_problem(await eve.post(f"/v1/executions/{key}/cancel"), 404, "no execution")
        assert_problem(await eve.get(f"/v1/workflows/{workflow}"), 404, "no workflow")
        assert_problem(
            await eve.post("/v1/workflows/charge-and-wait/execute", json={}), 404, "charge-and-wait"
        )
        assert (await eve.get("/v1/workflows")).json()["items"] == []
        assert (await eve.get("/v1/executions")).json()["items"] == []
        foreign = await eve.post("/v1/workflows/charge-and-wait/execute", json={"tenantId": "<default>"})
        assert_problem(foreign, 403, "not a member")
        assert (await ann.get(f"/v1/executions/{key}")).json()["state"] == "active"

    run(store_url, scenario, users=_users())
