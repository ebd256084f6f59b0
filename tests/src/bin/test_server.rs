//! The real server with the demo county, for end-to-end tests: `anjian-test-server DATA ADDR`.
//! (The same code as `anjian serve --demo`; a bin of this package so tests can start it.)

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
    tokio::runtime::Runtime::new()
        .expect("runtime")
        .block_on(anjian_server::serve(config))
        .expect("server");
}
