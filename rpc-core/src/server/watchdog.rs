//! [`Watchdog`]: the time limits a server puts on its peers, checked on a
//! periodic tick so that the per-frame path reads no clock.

use std::time::Duration;

use tokio::time::Instant;

use crate::frame::FrameReader;
use crate::server::ServerConfig;

/// Ticks per shortest limit: a limit is enforced within a quarter of itself.
const TICKS_PER_LIMIT: u32 = 4;

/// The shortest tick, so that tiny limits in tests do not spin.
const MIN_TICK: Duration = Duration::from_millis(10);

/// Why a watchdog closes a connection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Expired {
    /// No frame completed since the connection opened.
    FirstFrame(Duration),
    /// A frame started arriving and did not end in time.
    Frame(Duration),
    /// Nothing received and nothing running.
    Idle(Duration),
}

impl std::fmt::Display for Expired {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Expired::FirstFrame(limit) => write!(f, "no complete first frame within {limit:?}"),
            Expired::Frame(limit) => write!(f, "a frame did not arrive whole within {limit:?}"),
            Expired::Idle(limit) => write!(f, "idle for {limit:?}"),
        }
    }
}

/// What a watchdog reads of a connection's decoder.
pub(crate) trait Progress {
    /// Messages read to their end so far.
    fn frames_completed(&self) -> u64;
    /// Whether a message has started arriving and not ended.
    fn frame_in_progress(&self) -> bool;
}

impl Progress for FrameReader {
    fn frames_completed(&self) -> u64 {
        FrameReader::frames_completed(self)
    }

    fn frame_in_progress(&self) -> bool {
        FrameReader::frame_in_progress(self)
    }
}

/// Watches one connection's progress between ticks.
#[derive(Debug)]
pub(crate) struct Watchdog {
    first_frame_timeout: Duration,
    frame_timeout: Duration,
    idle_timeout: Duration,
    opened: Instant,
    /// When a frame was last seen to complete (or a call was running).
    last_activity: Instant,
    /// `frames_completed` at the last tick.
    completed: u64,
    /// When the frame in progress was first seen unfinished.
    frame_seen: Option<Instant>,
}

impl Watchdog {
    pub(crate) fn new(config: &ServerConfig, now: Instant) -> Watchdog {
        Watchdog {
            first_frame_timeout: config.first_frame_timeout,
            frame_timeout: config.frame_timeout,
            idle_timeout: config.idle_timeout,
            opened: now,
            last_activity: now,
            completed: 0,
            frame_seen: None,
        }
    }

    /// How often [`Watchdog::check`] should run.
    pub(crate) fn tick(config: &ServerConfig) -> Duration {
        let shortest = config
            .first_frame_timeout
            .min(config.frame_timeout)
            .min(config.idle_timeout);
        (shortest / TICKS_PER_LIMIT).max(MIN_TICK)
    }

    /// Checks the limits at `now`. A frame is judged from the tick that first
    /// saw it unfinished, so no limit fires early; each fires at most one
    /// tick late.
    pub(crate) fn check(
        &mut self,
        now: Instant,
        reader: &impl Progress,
        calls_running: bool,
    ) -> Result<(), Expired> {
        let completed = reader.frames_completed();
        let progressed = completed != self.completed;
        self.completed = completed;
        if progressed || calls_running {
            self.last_activity = now;
        }
        if reader.frame_in_progress() {
            match self.frame_seen {
                Some(seen) if !progressed => {
                    if now.duration_since(seen) >= self.frame_timeout {
                        return Err(Expired::Frame(self.frame_timeout));
                    }
                }
                _ => self.frame_seen = Some(now),
            }
            return Ok(());
        }
        self.frame_seen = None;
        if completed == 0 && now.duration_since(self.opened) >= self.first_frame_timeout {
            return Err(Expired::FirstFrame(self.first_frame_timeout));
        }
        if now.duration_since(self.last_activity) >= self.idle_timeout {
            return Err(Expired::Idle(self.idle_timeout));
        }
        Ok(())
    }
}
