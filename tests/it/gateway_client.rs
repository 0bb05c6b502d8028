//! The Gateway client against the loopback fake Gateway (written from the API reference).

use std::time::Duration;

use crate::common::fake_gateway::FakeGateway;
use secrecy::SecretString;
use verify_bot::gateway::{
    ApiError, DeliveryState, GatewayClient, GatewayError, SendVerificationMessage,
    VerificationState,
};

const TOKEN: &str = "client-test-token";
const PHONE: &str = "+447911123456";

async fn client_and_fake() -> (GatewayClient, FakeGateway) {
    let fake = FakeGateway::start(TOKEN).await;
    let client = GatewayClient::new(
        fake.url().parse().unwrap(),
        SecretString::from(TOKEN),
        Duration::from_secs(1),
    );
    (client, fake)
}

fn send_request() -> SendVerificationMessage {
    SendVerificationMessage {
        phone_number: PHONE.into(),
        code_length: Some(6),
        ttl: Some(300),
        payload: Some("42".into()),
        ..Default::default()
    }
}

#[tokio::test]
async fn send_check_and_revoke_round_trip() {
    let (client, fake) = client_and_fake().await;
    let sent = client
        .send_verification_message(&send_request())
        .await
        .unwrap();
    assert_eq!(sent.phone_number, PHONE);
    assert_eq!(sent.payload.as_deref(), Some("42"));
    assert!(sent.request_cost > 0.0);
    assert!(sent.remaining_balance.is_some());
    assert_eq!(sent.delivery_status.unwrap().status, DeliveryState::Sent);

    let calls = fake.calls();
    assert!(calls[0].authorized, "the bearer token must be accepted");
    assert_eq!(calls[0].params["code_length"], 6);
    assert!(
        calls[0].params.get("code").is_none(),
        "unset options are left out"
    );

    let code = fake.code_for(&sent.request_id).unwrap();
    let wrong = client
        .check_verification_status(&sent.request_id, Some("000000"))
        .await
        .unwrap();
    assert_eq!(
        wrong.verification_status.unwrap().status,
        VerificationState::CodeInvalid
    );
    let right = client
        .check_verification_status(&sent.request_id, Some(&code))
        .await
        .unwrap();
    assert_eq!(
        right.verification_status.unwrap().status,
        VerificationState::CodeValid
    );
    let status_only = client
        .check_verification_status(&sent.request_id, None)
        .await
        .unwrap();
    assert_eq!(status_only.request_id, sent.request_id);

    assert!(
        client
            .revoke_verification_message(&sent.request_id)
            .await
            .unwrap()
    );
}

#[tokio::test]
async fn check_send_ability_then_free_send_with_its_request_id() {
    let (client, fake) = client_and_fake().await;
    let able = client.check_send_ability(PHONE).await.unwrap();
    let balance_after_check = fake.balance();
    let sent = client
        .send_verification_message(&SendVerificationMessage {
            request_id: Some(able.request_id.clone()),
            ..send_request()
        })
        .await
        .unwrap();
    assert_eq!(sent.request_id, able.request_id);
    assert_eq!(fake.balance(), balance_after_check, "the send was free");
    let again = client
        .send_verification_message(&SendVerificationMessage {
            request_id: Some(able.request_id),
            ..send_request()
        })
        .await;
    assert_eq!(again, Err(GatewayError::Api(ApiError::MessageAlreadySent)));
}

#[tokio::test]
async fn api_errors_are_typed() {
    let (client, fake) = client_and_fake().await;
    let refused = client
        .send_verification_message(&SendVerificationMessage {
            phone_number: "12".into(),
            ..send_request()
        })
        .await;
    assert_eq!(
        refused,
        Err(GatewayError::Api(ApiError::PhoneNumberInvalid))
    );

    fake.fail_next("FLOOD_WAIT_17");
    let flood = client.check_send_ability(PHONE).await;
    assert_eq!(flood, Err(GatewayError::Api(ApiError::FloodWait(17))));

    fake.set_balance(0.0);
    let broke = client.send_verification_message(&send_request()).await;
    assert_eq!(broke, Err(GatewayError::Api(ApiError::BalanceNotEnough)));

    let unknown = client
        .check_verification_status("nope", Some("123456"))
        .await;
    assert_eq!(unknown, Err(GatewayError::Api(ApiError::RequestIdInvalid)));

    fake.set_error_status(500);
    fake.fail_next("SOMETHING_NEW");
    let other = client.check_send_ability(PHONE).await;
    assert_eq!(
        other,
        Err(GatewayError::Api(ApiError::Other("SOMETHING_NEW".into())))
    );
}

#[tokio::test]
async fn a_wrong_token_is_reported_as_such() {
    let fake = FakeGateway::start(TOKEN).await;
    let client = GatewayClient::new(
        fake.url().parse().unwrap(),
        SecretString::from("wrong"),
        Duration::from_secs(1),
    );
    let refused = client.check_send_ability(PHONE).await;
    assert_eq!(
        refused,
        Err(GatewayError::Api(ApiError::AccessTokenInvalid))
    );
}

#[tokio::test]
async fn html_error_pages_timeouts_and_dead_servers_are_told_apart() {
    let (client, fake) = client_and_fake().await;
    fake.respond_raw_next(502, "text/html", "<html>502 Bad Gateway</html>");
    let page = client.check_send_ability(PHONE).await;
    assert_eq!(page, Err(GatewayError::BadResponse { status: 502 }));

    fake.set_delay(Duration::from_secs(3));
    let slow = client.check_send_ability(PHONE).await;
    assert_eq!(slow, Err(GatewayError::Timeout(Duration::from_secs(1))));

    let dead = GatewayClient::new(
        "http://127.0.0.1:9/".parse().unwrap(),
        SecretString::from(TOKEN),
        Duration::from_secs(1),
    );
    assert!(matches!(
        dead.check_send_ability(PHONE).await,
        Err(GatewayError::Transport(_))
    ));
}
