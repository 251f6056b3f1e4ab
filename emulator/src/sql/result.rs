//! A statement's rows and their rendering in the service's JSON result format: `rowtype` (one
//! object per column: name, type, length, precision, scale, nullable…) and `rowset` (every value a
//! string, or null).

use serde_json::{Value as Json, json};

use super::expr::Value;

/// A column type of the JSON result format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColType {
    /// `text` (VARCHAR).
    Text,
    /// `fixed` with scale 0 (NUMBER(38,0)).
    Fixed,
    /// `timestamp_ltz` with scale 9: rendered as `"<unix seconds>.<9 digits>"`.
    TimestampLtz,
}

/// A result column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Column {
    /// Its name.
    pub name: String,
    /// Its type.
    pub ty: ColType,
}

impl Column {
    /// A column.
    pub fn new(name: &str, ty: ColType) -> Column {
        Column {
            name: name.to_string(),
            ty,
        }
    }

    fn rowtype(&self) -> Json {
        let (ty, length, precision, scale) = match self.ty {
            ColType::Text => ("text", json!(16_777_216), Json::Null, Json::Null),
            ColType::Fixed => ("fixed", Json::Null, json!(38), json!(0)),
            ColType::TimestampLtz => ("timestamp_ltz", Json::Null, json!(0), json!(9)),
        };
        json!({
            "name": self.name,
            "database": "",
            "schema": "",
            "table": "",
            "type": ty,
            "length": length,
            "byteLength": length,
            "precision": precision,
            "scale": scale,
            "nullable": true,
            "collation": null,
        })
    }
}

/// The rows a statement returns.
#[derive(Debug, Clone, PartialEq)]
pub struct ResultSet {
    /// The columns.
    pub columns: Vec<Column>,
    /// The rows, one value per column.
    pub rows: Vec<Vec<Value>>,
}

impl ResultSet {
    /// The one-row `status` answer of a statement that changes something.
    pub fn status(message: &str) -> ResultSet {
        ResultSet {
            columns: vec![Column::new("status", ColType::Text)],
            rows: vec![vec![Value::Text(message.to_string())]],
        }
    }

    /// The `rowtype` array.
    pub fn rowtype(&self) -> Json {
        Json::Array(self.columns.iter().map(Column::rowtype).collect())
    }

    /// The `rowset` array: strings or null.
    pub fn rowset(&self) -> Json {
        Json::Array(
            self.rows
                .iter()
                .map(|r| Json::Array(r.iter().map(cell).collect()))
                .collect(),
        )
    }
}

fn cell(v: &Value) -> Json {
    match v {
        Value::Null => Json::Null,
        Value::Text(s) => json!(s),
        Value::Int(n) => json!(n.to_string()),
        // The JSON result format's booleans are "1" and "0".
        Value::Bool(b) => json!(if *b { "1" } else { "0" }),
        Value::Ts(t) => json!(format!("{t}.000000000")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_render_as_strings() {
        let r = ResultSet {
            columns: vec![
                Column::new("A", ColType::Text),
                Column::new("N", ColType::Fixed),
                Column::new("T", ColType::TimestampLtz),
            ],
            rows: vec![vec![
                Value::Text("x".into()),
                Value::Int(7),
                Value::Ts(1_700_000_000),
            ]],
        };
        assert_eq!(r.rowset(), json!([["x", "7", "1700000000.000000000"]]));
        assert_eq!(r.rowtype()[1]["type"], "fixed");
        assert_eq!(r.rowtype()[2]["scale"], 9);
    }
}
