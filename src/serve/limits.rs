//! How many connections the server holds at once, and who gives way when
//! every slot is taken.
//!
//! Each connection costs one file descriptor (and one more while it sends a
//! static file). The cap is derived from the process's descriptor limit,
//! raised first as far as the system allows, leaving a reserve for rebuilds
//! (which open every file of the site), the watcher and the terminal: before
//! issue 9 descriptors ran out before the cap did, and a save made during a
//! flood of connections failed with "too many open files".
//!
//! A client that connects and then sends its request a byte at a time
//! (slowloris) is cut off when its head deadline passes (see
//! [`crate::serve::http::Deadline`]), but until then it holds a slot. So
//! when all slots are taken, a new connection takes the slot of the one that
//! has waited longest for its request to arrive: a browser sends its request
//! at once, and the slow clients evict each other rather than the browser.

use std::collections::BTreeMap;
use std::net::{Shutdown, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

/// Never more connections than this, however high the descriptor limit: each is a thread.
const MOST_CONNECTIONS: usize = 4096;
/// Never fewer, however low the limit.
const FEWEST_CONNECTIONS: usize = 8;
/// How long a new connection may wait for evicted ones to be gone (they
/// end within a few milliseconds; the accepting thread waits meanwhile).
const WAIT_FOR_EVICTED: Duration = Duration::from_millis(300);

/// Raises the soft limit on open files to the hard limit, where the system
/// allows it, and returns the soft limit then in force.
pub(crate) fn raise_fd_limit() -> u64 {
    #[cfg(target_os = "linux")]
    {
        use rustix::process::{Resource, getrlimit, setrlimit};
        let limit = getrlimit(Resource::Nofile);
        let (soft, hard) = (limit.current.unwrap_or(u64::MAX), limit.maximum.unwrap_or(u64::MAX));
        if soft < hard {
            let raised = rustix::process::Rlimit { current: Some(hard), maximum: limit.maximum };
            match setrlimit(Resource::Nofile, raised) {
                Ok(()) => return hard,
                Err(e) => log::debug!("cannot raise the open-file limit from {soft} to {hard}: {e}"),
            }
        }
        soft
    }
    #[cfg(not(target_os = "linux"))]
    {
        // macOS's default soft limit; we do not raise it there.
        256
    }
}

/// How many connections to hold with `fd_limit` descriptors: a quarter of
/// them (64 to 1024) is kept for rebuilds and the rest, and each connection
/// is counted twice (its socket and a file it may be sending).
pub(crate) fn connection_cap(fd_limit: u64) -> usize {
    let reserve = (fd_limit / 4).clamp(64, 1024);
    let cap = fd_limit.saturating_sub(reserve) / 2;
    usize::try_from(cap).unwrap_or(usize::MAX).clamp(FEWEST_CONNECTIONS, MOST_CONNECTIONS)
}

/// The connection slots, shared by the accepting thread and every connection.
#[derive(Debug)]
pub(crate) struct Slots {
    state: Mutex<State>,
    /// Signalled whenever a connection ends.
    freed: Condvar,
    cap: usize,
}

#[derive(Debug, Default)]
struct State {
    /// Connections whose thread has not ended yet, evicted ones included.
    open: usize,
    next_id: u64,
    /// Connections waiting for a request head, oldest wait first.
    waiting: BTreeMap<u64, Entry>,
    /// Event streams, oldest first.
    streams: BTreeMap<u64, Entry>,
}

/// A connection that may be evicted: its socket, to shut it, and the flag
/// its thread checks (an event stream waits on the hub, not the socket).
#[derive(Debug)]
struct Entry {
    stream: Arc<TcpStream>,
    evicted: Arc<AtomicBool>,
}

impl Entry {
    fn evict(self) {
        self.evicted.store(true, Ordering::Relaxed);
        let _ = self.stream.shutdown(Shutdown::Both);
    }
}

impl Slots {
    /// Slots for `cap` connections.
    pub(crate) fn new(cap: usize) -> Arc<Slots> {
        Arc::new(Slots { state: Mutex::new(State::default()), freed: Condvar::new(), cap })
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // Every change is a few assignments that cannot panic half-way.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// A slot for a new connection; when all are taken, the connection
    /// waiting longest for its request head is shut to make room (or the
    /// oldest event stream, when streams hold half the slots: its page
    /// reconnects by itself). `None` when neither frees one: answer 503.
    ///
    /// An evicted connection keeps its descriptor until its thread notices,
    /// a moment later; up to a quarter more than the cap may be open
    /// meanwhile (well inside the reserve). Beyond that, new connections
    /// wait (at most [`WAIT_FOR_EVICTED`]) for evicted ones to be gone,
    /// rather than being turned away.
    pub(crate) fn admit(self: &Arc<Self>) -> Option<Slot> {
        let hard_cap = self.cap + self.cap / 4 + 1;
        let deadline = Instant::now() + WAIT_FOR_EVICTED;
        let mut state = self.lock();
        loop {
            if state.open < self.cap {
                break;
            }
            if state.open < hard_cap {
                let victim = match state.waiting.pop_first() {
                    Some((_, entry)) => Some(entry),
                    None if state.streams.len() * 2 >= self.cap => state.streams.pop_first().map(|(_, e)| e),
                    None => None,
                };
                // Nobody to evict: every slot is answering or streaming.
                victim?.evict();
                break;
            }
            let left = deadline.checked_duration_since(Instant::now())?;
            state = self.freed.wait_timeout(state, left).unwrap_or_else(PoisonError::into_inner).0;
        }
        state.open += 1;
        state.next_id += 1;
        Some(Slot { slots: self.clone(), id: state.next_id, evicted: Arc::new(AtomicBool::new(false)) })
    }

    /// Connections open now.
    #[cfg(test)]
    fn open(&self) -> usize {
        self.lock().open
    }
}

/// One connection's slot, freed when dropped, however its thread ends.
#[derive(Debug)]
pub(crate) struct Slot {
    slots: Arc<Slots>,
    id: u64,
    evicted: Arc<AtomicBool>,
}

impl Slot {
    /// The connection is waiting for a request head: it may be evicted.
    /// Waits are ordered by when they start, so a connection kept alive
    /// between requests queues behind newer ones.
    pub(crate) fn waiting(&mut self, stream: &Arc<TcpStream>) {
        let mut state = self.slots.lock();
        state.next_id += 1;
        let id = state.next_id;
        state.waiting.remove(&self.id);
        self.id = id;
        state.waiting.insert(id, self.entry(stream));
    }

    fn entry(&self, stream: &Arc<TcpStream>) -> Entry {
        Entry { stream: stream.clone(), evicted: self.evicted.clone() }
    }

    /// Whether the slot was given to a new connection: end this one.
    pub(crate) fn evicted(&self) -> bool {
        self.evicted.load(Ordering::Relaxed)
    }

    /// The head has arrived: the connection is busy answering.
    pub(crate) fn busy(&self) {
        self.slots.lock().waiting.remove(&self.id);
    }

    /// The connection became an event stream, held until its page goes.
    pub(crate) fn streaming(&self, stream: &Arc<TcpStream>) {
        let mut state = self.slots.lock();
        state.waiting.remove(&self.id);
        state.streams.insert(self.id, self.entry(stream));
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        let mut state = self.slots.lock();
        state.open -= 1;
        state.waiting.remove(&self.id);
        state.streams.remove(&self.id);
        drop(state);
        self.slots.freed.notify_one();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read as _;
    use std::net::TcpListener;

    #[test]
    fn caps_follow_the_descriptor_limit() {
        assert_eq!(connection_cap(256), 96);
        assert_eq!(connection_cap(1024), 384);
        assert_eq!(connection_cap(20_000), MOST_CONNECTIONS);
        assert_eq!(connection_cap(10), FEWEST_CONNECTIONS);
        // Full slots, the evicted ones not yet gone and a file sent by each
        // leave dozens of descriptors for a rebuild.
        for limit in [128, 256, 1000, 1024, 4096, 65_536] {
            let cap = connection_cap(limit) as u64;
            assert!(cap * 2 + cap / 4 + 1 + 32 <= limit, "{limit}: {cap}");
        }
    }

    fn pair(listener: &TcpListener) -> (Arc<TcpStream>, TcpStream) {
        let client = TcpStream::connect(listener.local_addr().unwrap()).unwrap();
        let (server, _) = listener.accept().unwrap();
        (Arc::new(server), client)
    }

    #[test]
    fn a_new_connection_takes_the_slot_of_the_longest_wait() {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let slots = Slots::new(2);
        let (a, mut a_client) = pair(&listener);
        let (b, _b_client) = pair(&listener);
        let mut slot_a = slots.admit().unwrap();
        slot_a.waiting(&a);
        let slot_b = slots.admit().unwrap();
        slot_b.busy();
        // Full: the waiting connection gives way, the busy one does not.
        let slot_c = slots.admit().unwrap();
        let mut byte = [0];
        assert_eq!(a_client.read(&mut byte).unwrap(), 0, "a was shut");
        assert_eq!(slots.open(), 3);
        drop(slot_a);
        // Nobody waits now, and streams hold fewer than half: 503.
        assert!(slots.admit().is_none());
        slot_c.streaming(&b);
        let slot_d = slots.admit().unwrap();
        drop((slot_b, slot_c, slot_d));
        assert_eq!(slots.open(), 0);
    }
}
