//! Test-only strategies shared by the property tests of the parsers that read what remote
//! systems write (the Gateway's answers, its delivery reports).

use proptest::prelude::*;
use serde_json::Value;

/// Object keys: mostly the given field names, sometimes any text.
pub fn key(fields: &'static [&'static str]) -> impl Strategy<Value = String> {
    prop_oneof![
        3 => prop::sample::select(fields).prop_map(String::from),
        1 => any::<String>(),
    ]
}

/// Any JSON value, a few levels deep, whose objects mostly use the given field names.
pub fn json_value(fields: &'static [&'static str]) -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>().prop_map(Value::from),
        any::<String>().prop_map(Value::from),
    ];
    leaf.prop_recursive(4, 48, 6, move |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::btree_map(key(fields), inner, 0..6)
                .prop_map(|map| Value::Object(map.into_iter().collect())),
        ]
    })
}

/// Bodies a broken proxy or a changed API could send: bytes, text, JSON, truncated JSON, and
/// large ones.
pub fn any_body(fields: &'static [&'static str]) -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        prop::collection::vec(any::<u8>(), 0..512),
        any::<String>().prop_map(String::into_bytes),
        json_value(fields).prop_map(|v| serde_json::to_vec(&v).unwrap()),
        (json_value(fields), any::<prop::sample::Index>()).prop_map(|(v, cut)| {
            let mut bytes = serde_json::to_vec(&v).unwrap();
            bytes.truncate(cut.index(bytes.len() + 1));
            bytes
        }),
        prop::collection::vec(any::<u8>(), 10_000..50_000),
    ]
}
