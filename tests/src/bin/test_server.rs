//! The real server with the demo county, for end-to-end tests: `anjian-test-server DATA ADDR`.
//! (The same code as `anjian serve --demo`; a bin of this package so tests can start it.)
//! The unified identity provider is configured from `ANJIAN_OIDC_*` as `anjian serve` reads
//! them (docs/security.md).

fn main() {
    let mut args = std::env::args().skip(1);
    let data = args.next().expect("usage: anjian-test-server DATA ADDR");
    let listen = args
        .next()
        .expect("usage: anjian-test-server DATA ADDR")
        .parse()
        .expect("address");
    let mut config = anjian_server::Config::new(listen, data.into());
    config.demo = true;
    config.oidc = anjian_server::oidc::OidcConfig::from_env(None).expect("ANJIAN_OIDC_* settings");
    tokio::runtime::Runtime::new()
        .expect("runtime")
        .block_on(anjian_server::serve(config))
        .expect("server");
}
