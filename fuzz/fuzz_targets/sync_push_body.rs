//! A sync push body as the server reads it: the JSON envelope, then each operation decoded
//! into the typed contract the apply path matches on.
#![no_main]

use anjian_domain::sync::ops::OpBody;
use anjian_domain::sync::PushRequest;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(req) = serde_json::from_slice::<PushRequest>(data) {
        for op in req.ops {
            let _ = OpBody::decode(&op.entity, &op.op, op.payload);
        }
    }
});
