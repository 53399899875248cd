//! The column model: field names as splc's JSON reader names them, `List<Utf8>` for a
//! field multivalued in some event, and events back from batches unchanged.

mod common;

use common::{canon, events_from_text};
use datafusion::arrow::datatypes::DataType;
use spl_datafusion::columns::{multi_type, schema_of, to_batch, to_records, SEQ};

#[test]
fn fields_become_columns_and_come_back() {
    let events = events_from_text(concat!(
        r#"{"a":{"b":"x"},"tags":["p","q"],"arr":[{"k":"v1"},{"k":"v2"}],"_time":"1700000000.5"}"#,
        "\n",
        r#"{"tags":["r"],"n":7,"empty":"","nul":null}"#,
        "\n",
    ));
    let schema = schema_of(&events);
    let ty = |name: &str| {
        schema
            .field_with_name(name)
            .unwrap_or_else(|e| panic!("{name}: {e}"))
            .data_type()
            .clone()
    };
    assert_eq!(ty("a.b"), DataType::Utf8);
    assert_eq!(ty("tags{}"), multi_type());
    assert_eq!(ty("arr{}.k"), multi_type());
    assert_eq!(ty("_raw"), DataType::Utf8);
    assert_eq!(ty("_time"), DataType::Utf8);
    assert_eq!(ty("n"), DataType::Utf8);
    assert_eq!(ty("empty"), DataType::Utf8);
    // `null` gives no field.
    assert!(schema.field_with_name("nul").is_err());
    assert!(schema
        .fields()
        .iter()
        .all(|f| f.is_nullable() || f.name() == SEQ));
    // Last, the events' order.
    let last = schema.fields().last().expect("columns");
    assert_eq!(
        (last.name().as_str(), last.data_type()),
        (SEQ, &DataType::UInt64)
    );

    let batch = to_batch(&schema, &events).expect("a batch");
    assert_eq!(batch.num_rows(), 2);
    let back = to_records(&batch).expect("records");
    let canon_all = |rs: &[spl_runtime::Record]| rs.iter().map(canon).collect::<Vec<_>>();
    assert_eq!(canon_all(&back), canon_all(&events));
}
