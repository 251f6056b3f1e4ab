//! Scripted faults for `/session/v1/login-request`: consumed in order, each for `times` requests.

use std::collections::VecDeque;

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// One kind of fault.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Fault {
    /// Answer this HTTP status (body: its reason phrase, e.g. "Service Unavailable") without processing.
    FailHttp {
        /// The HTTP status.
        status: u16,
    },
    /// Read the request, then close the socket without answering or processing (no push).
    DropBeforeProcessing,
    /// Process the login fully (a push is sent and counted), then close without answering.
    DropAfterProcessing,
    /// Process, then wait `ms` before answering.
    Stall {
        /// Extra wait in milliseconds.
        ms: u64,
    },
    /// Answer 200 with a truncated, invalid JSON body, without processing.
    MalformedJson,
    /// Answer 200 `{"success": true, "data": {}}` (no token), without processing.
    IncompleteResponse,
    /// Answer `success:false` with this code, without processing.
    ForceCode {
        /// Six-digit code.
        code: String,
        /// Message; the documented message of the code when absent.
        #[serde(default)]
        message: Option<String>,
    },
    /// Answer HTTP 200 with this JSON body, without processing (scripted multi-step answers,
    /// malformed steps).
    Answer {
        /// The whole response body, sent as is.
        body: Value,
    },
}

/// The queue of pending faults.
#[derive(Debug, Default)]
pub struct FaultQueue {
    queue: VecDeque<(Fault, u32)>,
}

impl FaultQueue {
    /// Appends a fault that applies to the next `times` login requests (after earlier faults).
    pub fn push(&mut self, fault: Fault, times: u32) {
        if times > 0 {
            self.queue.push_back((fault, times));
        }
    }

    /// Takes the fault for this request, if any.
    pub fn take(&mut self) -> Option<Fault> {
        let (fault, left) = self.queue.front_mut()?;
        let f = fault.clone();
        *left -= 1;
        if *left == 0 {
            self.queue.pop_front();
        }
        Some(f)
    }

    /// Removes every pending fault.
    pub fn clear(&mut self) {
        self.queue.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn consumed_in_order() {
        let mut q = FaultQueue::default();
        q.push(Fault::FailHttp { status: 503 }, 2);
        q.push(Fault::MalformedJson, 1);
        assert_eq!(q.take(), Some(Fault::FailHttp { status: 503 }));
        assert_eq!(q.take(), Some(Fault::FailHttp { status: 503 }));
        assert_eq!(q.take(), Some(Fault::MalformedJson));
        assert_eq!(q.take(), None);
    }

    #[test]
    fn answer_fault_json_shape() {
        let f: Result<Fault, _> =
            serde_json::from_str(r#"{"kind":"answer","body":{"success":true,"data":{}}}"#);
        let want = Fault::Answer {
            body: serde_json::json!({"success": true, "data": {}}),
        };
        assert_eq!(f.ok(), Some(want.clone()));
        assert_eq!(
            serde_json::to_value(&want).ok(),
            Some(serde_json::json!({"kind": "answer", "body": {"success": true, "data": {}}}))
        );
    }
}
