//! `wecom-mock [ADDRESS]`: serves the mock on ADDRESS (default a free loopback port) and
//! prints its base URL, for browser tests. `GET /_mock/requests` lists what arrived;
//! `POST /_mock/answer` scripts the next answer.

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let address = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:0".to_owned());
    let mock = wecom_mock::WeComMock::start_at(&address).await?;
    println!("{}", mock.base_url);
    std::future::pending::<()>().await;
    Ok(())
}
