//! Tests of the fake Telegram Gateway itself against the Gateway API reference (methods,
//! fields, error strings, the signed delivery report).

use std::time::Duration;

use crate::common::fake_gateway::FakeGateway;
use serde_json::{Value, json};

const TOKEN: &str = "TEST_TOKEN";
const PHONE: &str = "+391234567890";

/// POST JSON with the bearer token; returns (HTTP status, body).
async fn call(gw: &FakeGateway, method: &str, body: Value) -> (u16, Value) {
    let resp = reqwest::Client::new()
        .post(format!("{}{method}", gw.url()))
        .bearer_auth(TOKEN)
        .json(&body)
        .send()
        .await
        .expect("request");
    let status = resp.status().as_u16();
    (status, resp.json().await.expect("json body"))
}

/// The `result` of a successful call (panics on `ok:false`).
async fn ok(gw: &FakeGateway, method: &str, body: Value) -> Value {
    let (status, v) = call(gw, method, body).await;
    assert_eq!((status, &v["ok"]), (200, &json!(true)), "{method}: {v}");
    v["result"].clone()
}

/// The `error` string of a failed call (panics on `ok:true`).
async fn error(gw: &FakeGateway, method: &str, body: Value) -> String {
    let (_, v) = call(gw, method, body).await;
    assert_eq!(v["ok"], json!(false), "{method}: {v}");
    v["error"].as_str().expect("error string").to_string()
}

async fn send(gw: &FakeGateway, phone: &str) -> Value {
    ok(
        gw,
        "sendVerificationMessage",
        json!({"phone_number": phone, "code_length": 6}),
    )
    .await
}

async fn check(gw: &FakeGateway, id: &str, code: &str) -> String {
    let r = ok(
        gw,
        "checkVerificationStatus",
        json!({"request_id": id, "code": code}),
    )
    .await;
    assert_eq!(r["verification_status"]["code_entered"], json!(code));
    r["verification_status"]["status"]
        .as_str()
        .unwrap()
        .to_string()
}

fn wrong_code(right: &str) -> String {
    let digit = if right.bytes().all(|b| b == b'0') {
        "1"
    } else {
        "0"
    };
    digit.repeat(right.len())
}

#[tokio::test]
async fn auth_header_or_access_token_param() {
    let gw = FakeGateway::start(TOKEN).await;
    let http = reqwest::Client::new();
    let url = format!("{}checkSendAbility", gw.url());
    let body = json!({"phone_number": PHONE});

    let v: Value = http
        .post(&url)
        .json(&body)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(v, json!({"ok": false, "error": "ACCESS_TOKEN_REQUIRED"}));
    let v: Value = http
        .post(&url)
        .bearer_auth("nope")
        .json(&body)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(v, json!({"ok": false, "error": "ACCESS_TOKEN_INVALID"}));
    let v: Value = http
        .post(&url)
        .bearer_auth(TOKEN)
        .json(&body)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(v["ok"], json!(true));
    let in_body = json!({"phone_number": PHONE, "access_token": TOKEN});
    let v: Value = http
        .post(&url)
        .json(&in_body)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(v["ok"], json!(true));
    let v: Value = http
        .get(&url)
        .query(&[("access_token", TOKEN), ("phone_number", PHONE)])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(v["ok"], json!(true));

    let calls = gw.calls();
    let authorized: Vec<bool> = calls.iter().map(|c| c.authorized).collect();
    assert_eq!(authorized, [false, false, true, true, true]);
    assert!(calls.iter().all(|c| c.method == "checkSendAbility"));
    assert_eq!(gw.count("checksendability"), 5);
    // Rejected calls are free.
    assert!((gw.balance() - 99.97).abs() < 1e-9);
}

#[tokio::test]
async fn routing_case_insensitive_get_query_form_and_unknown_method() {
    let gw = FakeGateway::start(TOKEN).await;
    let http = reqwest::Client::new();

    let r = ok(
        &gw,
        "SENDVERIFICATIONMESSAGE",
        json!({"phone_number": PHONE, "code_length": 4}),
    )
    .await;
    assert_eq!(r["phone_number"], json!(PHONE));

    let get = http
        .get(format!("{}checkverificationstatus", gw.url()))
        .bearer_auth(TOKEN)
        .query(&[("request_id", r["request_id"].as_str().unwrap())]);
    let v: Value = get.send().await.unwrap().json().await.unwrap();
    assert_eq!(v["result"]["request_id"], r["request_id"]);

    let form = [
        ("phone_number", PHONE),
        ("code_length", "5"),
        ("payload", "a b&c"),
    ];
    let post = http
        .post(format!("{}sendVerificationMessage", gw.url()))
        .bearer_auth(TOKEN);
    let v: Value = post.form(&form).send().await.unwrap().json().await.unwrap();
    assert_eq!(v["result"]["payload"], json!("a b&c"));
    let id = v["result"]["request_id"].as_str().unwrap();
    assert_eq!(gw.code_for(id).unwrap().len(), 5);

    let (status, v) = call(&gw, "sendMessage", json!({})).await;
    assert_eq!(
        (status, v),
        (200, json!({"ok": false, "error": "UNKNOWN_METHOD"}))
    );
    assert_eq!(error(&gw, "", json!({})).await, "UNKNOWN_METHOD");

    let calls = gw.calls();
    let methods: Vec<&str> = calls.iter().map(|c| c.method.as_str()).collect();
    let expected = [
        "sendVerificationMessage",
        "checkVerificationStatus",
        "sendVerificationMessage",
        "sendMessage",
        "",
    ];
    assert_eq!(methods, expected);
    assert_eq!(calls[2].params["code_length"], json!("5"));
    assert_eq!(gw.count("SendVerificationMessage"), 2);
    assert_eq!(gw.count("sendmessage"), 1);
}

#[tokio::test]
async fn send_validation_errors() {
    let gw = FakeGateway::start(TOKEN).await;
    let m = "sendVerificationMessage";
    let cases = [
        (json!({"code_length": 6}), "PHONE_NUMBER_INVALID"),
        (
            json!({"phone_number": "", "code_length": 6}),
            "PHONE_NUMBER_INVALID",
        ),
        (
            json!({"phone_number": "a", "code_length": 6}),
            "PHONE_NUMBER_INVALID",
        ),
        (
            json!({"phone_number": "391234567890", "code_length": 6}),
            "PHONE_NUMBER_INVALID",
        ),
        (
            json!({"phone_number": "+0123456", "code_length": 6}),
            "PHONE_NUMBER_INVALID",
        ),
        (
            json!({"phone_number": "+1234567890123456", "code_length": 6}),
            "PHONE_NUMBER_INVALID",
        ),
        // Phone is reported before the missing code_length.
        (json!({"phone_number": ""}), "PHONE_NUMBER_INVALID"),
        (json!({"phone_number": PHONE}), "CODE_LENGTH_REQUIRED"),
        (
            json!({"phone_number": PHONE, "code_length": null, "code": null}),
            "CODE_LENGTH_REQUIRED",
        ),
        (
            json!({"phone_number": PHONE, "code_length": 1}),
            "CODE_LENGTH_INVALID",
        ),
        (
            json!({"phone_number": PHONE, "code_length": 9}),
            "CODE_LENGTH_INVALID",
        ),
        (
            json!({"phone_number": PHONE, "code_length": "six"}),
            "CODE_LENGTH_INVALID",
        ),
        (json!({"phone_number": PHONE, "code": "1"}), "CODE_INVALID"),
        (
            json!({"phone_number": PHONE, "code": "12a4"}),
            "CODE_INVALID",
        ),
        (
            json!({"phone_number": PHONE, "code": "123456789"}),
            "CODE_INVALID",
        ),
        (
            json!({"phone_number": PHONE, "code_length": 6, "ttl": 1}),
            "TTL_INVALID",
        ),
        (
            json!({"phone_number": PHONE, "code_length": 6, "ttl": 3601}),
            "TTL_INVALID",
        ),
        (
            json!({"phone_number": PHONE, "code_length": 6, "callback_url": "asdasd"}),
            "CALLBACK_URL_INVALID",
        ),
        (
            json!({"phone_number": PHONE, "code_length": 6, "callback_url": "http://example.com/cb"}),
            "CALLBACK_URL_INVALID",
        ),
        (
            json!({"phone_number": PHONE, "code_length": 6, "callback_url": format!("https://example.com/{}", "a".repeat(240))}),
            "CALLBACK_URL_INVALID",
        ),
        (
            json!({"phone_number": PHONE, "code_length": 6, "payload": "x".repeat(129)}),
            "PAYLOAD_INVALID",
        ),
        (
            json!({"phone_number": PHONE, "code_length": 6, "request_id": "asdasd"}),
            "REQUEST_ID_INVALID",
        ),
        (
            json!({"phone_number": "+99912345678", "code_length": 6}),
            "PHONE_NUMBER_NOT_FOUND",
        ),
    ];
    for (body, expected) in cases {
        assert_eq!(error(&gw, m, body.clone()).await, expected, "{body}");
    }
    assert_eq!(
        error(&gw, "checkSendAbility", json!({"phone_number": "a"})).await,
        "PHONE_NUMBER_INVALID"
    );
    assert_eq!(
        error(
            &gw,
            "checkSendAbility",
            json!({"phone_number": "+99912345678"})
        )
        .await,
        "PHONE_NUMBER_NOT_FOUND"
    );
    for method in ["checkVerificationStatus", "revokeVerificationMessage"] {
        assert_eq!(error(&gw, method, json!({})).await, "REQUEST_ID_REQUIRED");
        assert_eq!(
            error(&gw, method, json!({"request_id": null})).await,
            "REQUEST_ID_REQUIRED"
        );
        assert_eq!(
            error(&gw, method, json!({"request_id": "a"})).await,
            "REQUEST_ID_INVALID"
        );
    }
    assert_eq!(gw.balance(), 100.0, "errors are free");
    assert_eq!(gw.last_request_id(), None);

    // Valid edge cases: nulls for optionals, string-encoded integers, code wins over code_length.
    let body = json!({"phone_number": PHONE, "code_length": "8", "ttl": "30", "callback_url": null,
        "payload": null, "sender_username": null, "request_id": null});
    let r = ok(&gw, m, body).await;
    assert_eq!(
        gw.code_for(r["request_id"].as_str().unwrap())
            .unwrap()
            .len(),
        8
    );
    assert!(r.get("payload").is_none());
    let body = json!({"phone_number": PHONE, "code": "0042", "code_length": 1, "ttl": 3600,
        "callback_url": "https://example.com/tg", "payload": "p".repeat(128)});
    let r = ok(&gw, m, body).await;
    assert_eq!(
        gw.code_for(r["request_id"].as_str().unwrap()).as_deref(),
        Some("0042")
    );
    assert_eq!(r["payload"], json!("p".repeat(128)));
}

#[tokio::test]
async fn send_then_wrong_then_right_code() {
    let gw = FakeGateway::start(TOKEN).await;
    let body = json!({"phone_number": PHONE, "code_length": 6, "payload": "order-7"});
    let r = ok(&gw, "sendVerificationMessage", body).await;
    let id = r["request_id"].as_str().unwrap().to_string();
    assert_eq!(gw.last_request_id().as_deref(), Some(id.as_str()));
    assert_eq!(r["phone_number"], json!(PHONE));
    assert_eq!(r["request_cost"], json!(0.01));
    assert_eq!(r["remaining_balance"], json!(99.99));
    assert_eq!(r["is_refunded"], json!(false));
    assert_eq!(r["payload"], json!("order-7"));
    assert_eq!(r["delivery_status"]["status"], json!("sent"));
    assert!(r["delivery_status"]["updated_at"].as_i64().unwrap() > 1_700_000_000);
    assert!(r.get("verification_status").is_none());

    let code = gw.code_for(&id).unwrap();
    assert_eq!(code.len(), 6);
    assert!(code.bytes().all(|b| b.is_ascii_digit()));

    // Without a code: just the status, nothing verified, no charge reported.
    let s = ok(&gw, "checkVerificationStatus", json!({"request_id": id})).await;
    assert!(s.get("verification_status").is_none());
    assert!(s.get("remaining_balance").is_none());
    assert_eq!(s["payload"], json!("order-7"));

    assert_eq!(check(&gw, &id, &wrong_code(&code)).await, "code_invalid");
    assert_eq!(check(&gw, &id, &code).await, "code_valid");
    assert_eq!(check(&gw, &id, &code).await, "code_valid");
    let s = ok(&gw, "checkVerificationStatus", json!({"request_id": id})).await;
    assert_eq!(s["verification_status"]["status"], json!("code_valid"));
    assert!(s["verification_status"]["updated_at"].is_i64());

    // A second send creates a different request with its own code.
    let other = send(&gw, PHONE).await;
    assert_ne!(other["request_id"], json!(id));
    assert_eq!(gw.count("sendVerificationMessage"), 2);
}

#[tokio::test]
async fn max_attempts_and_expiry() {
    let gw = FakeGateway::start(TOKEN).await;
    // Default: 3 wrong codes allowed, the 4th exceeds, and it sticks.
    let id = send(&gw, PHONE).await["request_id"]
        .as_str()
        .unwrap()
        .to_string();
    let code = gw.code_for(&id).unwrap();
    let wrong = wrong_code(&code);
    for _ in 0..3 {
        assert_eq!(check(&gw, &id, &wrong).await, "code_invalid");
    }
    assert_eq!(check(&gw, &id, &wrong).await, "code_max_attempts_exceeded");
    assert_eq!(check(&gw, &id, &code).await, "code_max_attempts_exceeded");

    gw.set_max_attempts(1);
    let id = send(&gw, PHONE).await["request_id"]
        .as_str()
        .unwrap()
        .to_string();
    let code = gw.code_for(&id).unwrap();
    assert_eq!(check(&gw, &id, &wrong_code(&code)).await, "code_invalid");
    assert_eq!(
        check(&gw, &id, &wrong_code(&code)).await,
        "code_max_attempts_exceeded"
    );

    let id = send(&gw, PHONE).await["request_id"]
        .as_str()
        .unwrap()
        .to_string();
    let code = gw.code_for(&id).unwrap();
    gw.expire(&id);
    assert_eq!(check(&gw, &id, &code).await, "expired");
}

#[tokio::test]
async fn billing_balance_own_number_and_balance_not_enough() {
    let gw = FakeGateway::start(TOKEN).await;
    let r = send(&gw, PHONE).await;
    assert_eq!(r["remaining_balance"], json!(99.99));
    let r = send(&gw, PHONE).await;
    assert_eq!(r["remaining_balance"], json!(99.98));
    let s = ok(
        &gw,
        "checkVerificationStatus",
        json!({"request_id": r["request_id"]}),
    )
    .await;
    assert_eq!(s["request_cost"], json!(0.01));
    assert!(
        s.get("remaining_balance").is_none(),
        "only on charged calls: {s}"
    );

    let own = "+15550001111";
    gw.set_own_number(own);
    for method in ["sendVerificationMessage", "checkSendAbility"] {
        let r = ok(&gw, method, json!({"phone_number": own, "code_length": 4})).await;
        assert_eq!(r["request_cost"], json!(0.0));
        assert!(r.get("remaining_balance").is_none(), "{r}");
    }
    assert_eq!(gw.balance(), 99.98);

    gw.set_balance(0.005);
    let body = json!({"phone_number": PHONE, "code_length": 4});
    assert_eq!(
        error(&gw, "sendVerificationMessage", body).await,
        "BALANCE_NOT_ENOUGH"
    );
    assert_eq!(
        error(&gw, "checkSendAbility", json!({"phone_number": PHONE})).await,
        "BALANCE_NOT_ENOUGH"
    );
    assert_eq!(gw.balance(), 0.005);
    send(&gw, own).await; // own number still free
    gw.set_balance(0.01);
    assert_eq!(send(&gw, PHONE).await["remaining_balance"], json!(0.0));

    // An expired (undelivered) message is refunded.
    let id = r["request_id"].as_str().unwrap();
    gw.set_delivery_status(id, "expired");
    assert_eq!(gw.balance(), 0.01);
    let s = gw.request_status(id).unwrap();
    assert_eq!(
        (&s["is_refunded"], &s["delivery_status"]["status"]),
        (&json!(true), &json!("expired"))
    );
    gw.set_delivery_status(id, "expired");
    assert_eq!(gw.balance(), 0.01, "refunded once");
}

#[tokio::test]
async fn check_send_ability_then_send_once_for_free() {
    let gw = FakeGateway::start(TOKEN).await;
    let a = ok(&gw, "checkSendAbility", json!({"phone_number": PHONE})).await;
    let id = a["request_id"].as_str().unwrap().to_string();
    assert_eq!(
        (&a["request_cost"], &a["remaining_balance"]),
        (&json!(0.01), &json!(99.99))
    );
    assert!(a.get("delivery_status").is_none(), "nothing sent yet: {a}");
    assert_eq!(gw.last_request_id().as_deref(), Some(id.as_str()));
    assert_eq!(gw.code_for(&id), None);

    let mismatch = json!({"phone_number": "+441234567890", "code_length": 6, "request_id": id});
    assert_eq!(
        error(&gw, "sendVerificationMessage", mismatch).await,
        "PHONE_NUMBER_MISMATCH"
    );

    let body = json!({"phone_number": PHONE, "code_length": 6, "request_id": id});
    let r = ok(&gw, "sendVerificationMessage", body.clone()).await;
    assert_eq!(r["request_id"], json!(id));
    assert_eq!(r["request_cost"], json!(0.01));
    assert!(r.get("remaining_balance").is_none(), "no new charge: {r}");
    assert_eq!(r["delivery_status"]["status"], json!("sent"));
    assert_eq!(gw.balance(), 99.99);
    assert_eq!(gw.code_for(&id).unwrap().len(), 6);

    assert_eq!(
        error(&gw, "sendVerificationMessage", body).await,
        "MESSAGE_ALREADY_SENT"
    );
    // A send's own request_id cannot be reused either.
    let plain = send(&gw, PHONE).await;
    let reuse = json!({"phone_number": PHONE, "code_length": 6, "request_id": plain["request_id"]});
    assert_eq!(
        error(&gw, "sendVerificationMessage", reuse).await,
        "MESSAGE_ALREADY_SENT"
    );
    assert_eq!(gw.balance(), 99.98);
}

#[tokio::test]
async fn sender_username_is_recorded_and_refused_only_as_told() {
    let gw = FakeGateway::start(TOKEN).await;
    let from =
        |sender: &str| json!({"phone_number": PHONE, "code_length": 6, "sender_username": sender});

    // Any channel is accepted by default, and charged as usual.
    let r = ok(&gw, "sendVerificationMessage", from("My_Shop")).await;
    assert_eq!(r["remaining_balance"], json!(99.99));
    // What is not a username is refused, free of charge.
    for malformed in ["@my_shop", "shop", "1my_shop", "my-shop"] {
        let refused = error(&gw, "sendVerificationMessage", from(malformed)).await;
        assert_eq!(refused, "SENDER_USERNAME_INVALID", "{malformed}");
    }
    // Each refusal a test asks for, case-insensitively, charges nothing.
    for refusal in [
        "SENDER_USERNAME_INVALID",
        "SENDER_NOT_VERIFIED",
        "SENDER_NOT_OWNED",
    ] {
        gw.sender_refused("my_shop", refusal);
        let refused = error(&gw, "sendVerificationMessage", from("MY_SHOP")).await;
        assert_eq!(refused, refusal);
        // Another channel, or none, is not affected.
        ok(&gw, "sendVerificationMessage", from("other_shop")).await;
        send(&gw, PHONE).await;
    }
    assert_eq!(gw.balance(), 99.93);

    // A refused send leaves a checkSendAbility request unused: the next send uses it for free.
    let able = ok(&gw, "checkSendAbility", json!({"phone_number": PHONE})).await;
    let mut prepaid = from("my_shop");
    prepaid["request_id"] = able["request_id"].clone();
    let refused = error(&gw, "sendVerificationMessage", prepaid.clone()).await;
    assert_eq!(refused, "SENDER_NOT_OWNED");
    gw.sender_accepted("My_Shop");
    let r = ok(&gw, "sendVerificationMessage", prepaid).await;
    assert_eq!(r["request_id"], able["request_id"]);
    assert_eq!(gw.balance(), 99.92);

    // To the account's own number, an unverified channel will do; one not owned will not.
    gw.set_own_number(PHONE);
    gw.sender_refused("my_shop", "SENDER_NOT_VERIFIED");
    ok(&gw, "sendVerificationMessage", from("my_shop")).await;
    gw.sender_refused("my_shop", "SENDER_NOT_OWNED");
    let refused = error(&gw, "sendVerificationMessage", from("my_shop")).await;
    assert_eq!(refused, "SENDER_NOT_OWNED");

    let senders = gw.sender_usernames();
    let first: Vec<Option<&str>> = senders[..6].iter().map(Option::as_deref).collect();
    assert_eq!(
        first,
        [
            Some("My_Shop"),
            Some("@my_shop"),
            Some("shop"),
            Some("1my_shop"),
            Some("my-shop"),
            Some("MY_SHOP"),
        ]
    );
    assert_eq!(senders[7], None, "a send without sender_username");
    assert_eq!(senders.len(), gw.count("sendVerificationMessage"));
}

#[tokio::test]
async fn revoke_and_delivery_status() {
    let gw = FakeGateway::start(TOKEN).await;
    let id = send(&gw, PHONE).await["request_id"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(
        ok(&gw, "revokeVerificationMessage", json!({"request_id": id})).await,
        json!(true)
    );
    let s = ok(&gw, "checkVerificationStatus", json!({"request_id": id})).await;
    assert_eq!(s["delivery_status"]["status"], json!("revoked"));
    assert_eq!(
        s["is_refunded"],
        json!(false),
        "revoked codes are not refunded"
    );

    let id = send(&gw, PHONE).await["request_id"]
        .as_str()
        .unwrap()
        .to_string();
    gw.set_delivery_status(&id, "delivered");
    assert_eq!(
        gw.request_status(&id).unwrap()["delivery_status"]["status"],
        json!("delivered")
    );
    gw.set_delivery_status(&id, "read");
    assert_eq!(
        ok(&gw, "revokeVerificationMessage", json!({"request_id": id})).await,
        json!(true)
    );
    assert_eq!(
        gw.request_status(&id).unwrap()["delivery_status"]["status"],
        json!("read")
    );
}

#[tokio::test]
async fn fail_next_and_error_status() {
    let gw = FakeGateway::start(TOKEN).await;
    gw.fail_next("FLOOD_WAIT_42");
    let (status, v) = call(&gw, "checkSendAbility", json!({"phone_number": PHONE})).await;
    assert_eq!(
        (status, v),
        (200, json!({"ok": false, "error": "FLOOD_WAIT_42"}))
    );
    assert_eq!(gw.balance(), 100.0);
    ok(&gw, "checkSendAbility", json!({"phone_number": PHONE})).await;

    gw.set_error_status(429);
    gw.fail_next("FLOOD_WAIT_3");
    let (status, v) = call(&gw, "sendVerificationMessage", json!({})).await;
    assert_eq!((status, &v["error"]), (429, &json!("FLOOD_WAIT_3")));
    let (status, v) = call(&gw, "sendVerificationMessage", json!({"phone_number": "x"})).await;
    assert_eq!((status, &v["error"]), (429, &json!("PHONE_NUMBER_INVALID")));
    let (status, _) = call(&gw, "checkSendAbility", json!({"phone_number": PHONE})).await;
    assert_eq!(status, 200, "success keeps 200");
    assert_eq!(gw.calls().len(), 5);
}

#[tokio::test]
async fn respond_raw_next_then_normal() {
    let gw = FakeGateway::start(TOKEN).await;
    gw.respond_raw_next(502, "text/html", "<html>Bad Gateway</html>");
    let resp = reqwest::Client::new()
        .post(format!("{}checkSendAbility", gw.url()))
        .bearer_auth(TOKEN)
        .json(&json!({"phone_number": PHONE}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 502);
    assert_eq!(resp.headers()["content-type"], "text/html");
    assert_eq!(resp.text().await.unwrap(), "<html>Bad Gateway</html>");
    assert_eq!(gw.balance(), 100.0);
    assert_eq!(gw.count("checkSendAbility"), 1);
    ok(&gw, "checkSendAbility", json!({"phone_number": PHONE})).await;
}

#[tokio::test]
async fn delay_provokes_client_timeout_but_call_is_recorded() {
    let gw = FakeGateway::start(TOKEN).await;
    gw.set_delay(Duration::from_millis(400));
    let result = reqwest::Client::new()
        .post(format!("{}checkSendAbility", gw.url()))
        .bearer_auth(TOKEN)
        .json(&json!({"phone_number": PHONE}))
        .timeout(Duration::from_millis(100))
        .send()
        .await;
    assert!(result.unwrap_err().is_timeout());
    assert_eq!(gw.count("checkSendAbility"), 1);
    gw.set_delay(Duration::ZERO);
    ok(&gw, "checkSendAbility", json!({"phone_number": PHONE})).await;
}

#[test]
fn reports_are_signed_as_the_published_vector_says() {
    assert_eq!(
        crate::common::fake_gateway::sign_report(
            "TEST_TOKEN",
            "1700000000",
            br#"{"request_id":"abc"}"#
        ),
        "ba63fd756bd9eefdac399bc598347c4754b01546d595bfe332b8e8d54aee773e"
    );
}

#[tokio::test]
async fn delivery_reports_are_posted_signed_to_the_callback_path() {
    use axum::http::HeaderMap;
    use std::sync::{Arc, Mutex};

    // A receiver standing in for the bot behind https://bot.example.com.
    let received: Arc<Mutex<Vec<(HeaderMap, String)>>> = Arc::default();
    let log = received.clone();
    let app = axum::Router::new().route(
        "/hooks/report",
        axum::routing::post(move |headers: HeaderMap, body: String| async move {
            log.lock().unwrap().push((headers, body));
            axum::http::StatusCode::ACCEPTED
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });

    let gw = FakeGateway::start(TOKEN).await;
    let callback = "https://bot.example.com/hooks/report";
    let sent = ok(
        &gw,
        "sendVerificationMessage",
        json!({"phone_number": PHONE, "code_length": 6, "callback_url": callback}),
    )
    .await;
    let id = sent["request_id"].as_str().unwrap();
    assert_eq!(gw.callback_url(id).as_deref(), Some(callback));
    gw.route_reports_to(&base);
    assert_eq!(gw.report_url(id), format!("{base}/hooks/report"));

    assert_eq!(gw.deliver_report(id, "delivered").await, 202);
    let received = received.lock().unwrap();
    let (headers, body) = &received[0];
    let report: Value = serde_json::from_str(body).unwrap();
    assert_eq!(report["request_id"], json!(id));
    assert_eq!(report["delivery_status"]["status"], json!("delivered"));
    let header = |name: &str| headers[name].to_str().unwrap().to_owned();
    let timestamp = header("x-request-timestamp");
    assert_eq!(
        header("x-request-signature"),
        crate::common::fake_gateway::sign_report(TOKEN, &timestamp, body.as_bytes())
    );
}
