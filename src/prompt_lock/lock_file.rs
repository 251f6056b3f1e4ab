//! The cross-process half of the prompt lock: an `flock`ed file per key in the token cache's
//! directory, which also records how the last turn ended (see the parent module).

use std::fs::File;
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use super::{Outcome, POLL, check_wait};
use crate::cancel::LoginCancel;
use crate::deadline::Deadline;
use crate::error::{Error, ErrorKind};
use crate::progress::{Progress, Reporter};

pub(super) enum Acquired {
    Lead(LockFile),
    Shared(Outcome),
}

/// The cross-process lock of one key, held.
pub(super) struct LockFile {
    file: File,
    turn: String,
}

/// The state a lock file records: the id of the last turn and how it stands.
#[derive(Debug, PartialEq, Eq)]
struct Record {
    turn: String,
    state: String,
}

impl Record {
    fn read(file: &mut File) -> Option<Record> {
        let mut text = String::new();
        file.seek(SeekFrom::Start(0)).ok()?;
        file.take(256).read_to_string(&mut text).ok()?;
        let (turn, state) = text.trim().split_once(' ')?;
        Some(Record {
            turn: turn.to_owned(),
            state: state.to_owned(),
        })
    }
}

/// `sfmfa-prompt-<hash>.lck`, from the v2 key `SnowflakeTokenCache.v2.MfaToken.<hash>`.
fn lock_path(dir: &Path, key_id: &str) -> PathBuf {
    let hash = key_id.rsplit('.').next().unwrap_or(key_id);
    dir.join(format!("sfmfa-prompt-{hash}.lck"))
}

impl LockFile {
    pub(super) fn acquire(
        dir: &Path,
        key_id: &str,
        cancel: &LoginCancel,
        deadline: &Deadline,
        reporter: &Reporter,
        told: &mut bool,
    ) -> Result<Acquired, Error> {
        crate::cache::FileCache::in_dir(dir).open_dir(true)?;
        let path = lock_path(dir, key_id);
        let mut file = crate::cache::file::open_lock_file(&path)?;
        let before = Record::read(&mut file);
        loop {
            match file.try_lock() {
                Ok(()) => break,
                Err(std::fs::TryLockError::WouldBlock) => {
                    if !*told {
                        *told = true;
                        reporter.emit(Progress::WaitingForOtherLogin);
                    }
                    check_wait(cancel, deadline)?;
                    std::thread::sleep(POLL.min(deadline.remaining()));
                }
                Err(std::fs::TryLockError::Error(e)) => {
                    return Err(Error::new(
                        ErrorKind::Cache,
                        format!("could not lock {}: {e}", path.display()),
                    ));
                }
            }
        }
        // A turn that ended after this login first looked is this login's to share.
        let now = Record::read(&mut file);
        if let Some(record) = now.filter(|r| Some(r) != before.as_ref()) {
            match record.state.split_once(' ') {
                None if record.state == "success" => return Ok(Acquired::Shared(Outcome::Success)),
                None if record.state == "push-lost" => {
                    return Ok(Acquired::Shared(Outcome::PushLost));
                }
                Some(("refused", code)) => {
                    if let Ok(code) = code.parse::<u32>() {
                        let e = Error::from_server(code, None);
                        return Ok(Acquired::Shared(Outcome::Refused(e)));
                    }
                }
                // "pending" (its process died), "abandoned", or a state this version does not
                // know: this login takes over.
                _ => {}
            }
        }
        let mut lock = LockFile {
            file,
            turn: uuid::Uuid::new_v4().simple().to_string(),
        };
        lock.write("pending");
        Ok(Acquired::Lead(lock))
    }

    fn write(&mut self, state: &str) {
        let line = format!("{} {state}\n", self.turn);
        let written = self
            .file
            .set_len(0)
            .and_then(|()| self.file.seek(SeekFrom::Start(0)))
            .and_then(|_| self.file.write_all(line.as_bytes()));
        if let Err(e) = written {
            log::warn!("could not record the prompt turn in its lock file: {e}");
        }
    }

    /// Records the outcome; the lock is released when the file closes.
    pub(super) fn finish(mut self, outcome: &Outcome) {
        match outcome {
            Outcome::Success => self.write("success"),
            Outcome::Refused(e) => match e.server_code() {
                Some(code) => self.write(&format!("refused {code}")),
                None => self.write("abandoned"),
            },
            Outcome::PushLost => self.write("push-lost"),
            Outcome::Abandoned => self.write("abandoned"),
        }
    }
}
