//! Which pages browsers show: the pages open now (one event stream each,
//! whose URL names the page) and the pages fetched lately. After an edit
//! that renders many units, the rebuild renders these first ("fast render",
//! as Hugo calls it) and reloads them before it renders the rest.
//!
//! Every input here comes from a client, so everything is bounded: a page
//! named in an event stream's URL is at most [`MOST_HINT_BYTES`] long and
//! must be a path the server could serve, or the stream is refused; the open
//! pages are as many as the event streams (which the connection slots bound,
//! `limits.rs`); the recent visits are the last [`MOST_RECENT`] distinct pages;
//! and a rebuild takes at most [`MOST_FIRST`] pages to render first, so a
//! client opening thousands of streams cannot make the first phase the
//! whole site.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use crate::serve::http::{Target, resolve};
use crate::url::decode;

/// The longest page path an event stream may name (its URL-encoded form).
pub(crate) const MOST_HINT_BYTES: usize = 2048;
/// How many recently fetched pages are remembered.
pub(crate) const MOST_RECENT: usize = 16;
/// How many pages a rebuild renders first, open ones before visited ones.
pub(crate) const MOST_FIRST: usize = 32;

/// The page an event stream's URL names (`/__dotwork/events?page=%2Fabout%2F`),
/// as the keys of the site it may be served from: `Ok(vec![])` when the URL
/// names none (a page from an older script), `Err` when the name is too
/// long or is not a path the server could serve (the stream is refused).
pub(crate) fn page_hint(target: &str) -> Result<Vec<String>, ()> {
    let Some((_, query)) = target.split_once('?') else { return Ok(Vec::new()) };
    let query = query.split('#').next().unwrap_or_default();
    if query.len() > MOST_HINT_BYTES + "page=".len() {
        return Err(());
    }
    let Some(value) = query.split('&').find_map(|p| p.strip_prefix("page=")) else { return Ok(Vec::new()) };
    let path = decode(&value.replace('+', " ")).ok_or(())?;
    match resolve(&path) {
        Target::Bad => Err(()),
        Target::File(key) => Ok(vec![key]),
        Target::FileOrFolder { file, index, .. } => Ok(vec![file, index]),
    }
}

/// The pages browsers show, shared by every connection and the rebuild thread.
#[derive(Debug, Default)]
pub(crate) struct Visits(Mutex<State>);

#[derive(Debug, Default)]
struct State {
    /// Each page with an event stream open: how many, and when the latest opened.
    open: HashMap<String, (usize, u64)>,
    /// Pages fetched lately, the latest first, each once.
    recent: VecDeque<String>,
    /// Counts streams opened, to order open pages by how new they are.
    clock: u64,
}

/// An open page; it is no longer open once this is dropped (its stream ended).
#[derive(Debug)]
pub(crate) struct Open {
    visits: Arc<Visits>,
    keys: Vec<String>,
}

impl Drop for Open {
    fn drop(&mut self) {
        let mut state = self.visits.lock();
        for key in &self.keys {
            if let Some((count, _)) = state.open.get_mut(key) {
                *count -= 1;
                if *count == 0 {
                    state.open.remove(key);
                }
            }
        }
    }
}

impl Visits {
    fn lock(&self) -> MutexGuard<'_, State> {
        // Every change is whole before the lock is let go.
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// A page showing in a browser (its event stream is open), until the
    /// returned guard is dropped.
    pub(crate) fn open(self: &Arc<Self>, keys: Vec<String>) -> Open {
        let mut state = self.lock();
        state.clock += 1;
        let now = state.clock;
        for key in &keys {
            let entry = state.open.entry(key.clone()).or_insert((0, now));
            entry.0 += 1;
            entry.1 = now;
        }
        drop(state);
        Open { visits: self.clone(), keys }
    }

    /// A page was fetched.
    pub(crate) fn visited(&self, key: &str) {
        let mut state = self.lock();
        if state.recent.front().is_some_and(|k| k == key) {
            return;
        }
        state.recent.retain(|k| k != key);
        state.recent.push_front(key.to_string());
        state.recent.truncate(MOST_RECENT);
    }

    /// The pages to render first: open ones, newest first, then recently
    /// fetched ones; at most [`MOST_FIRST`].
    pub(crate) fn first(&self) -> Vec<String> {
        let state = self.lock();
        let mut open: Vec<(&String, u64)> = state.open.iter().map(|(k, &(_, at))| (k, at)).collect();
        open.sort_unstable_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(b.0)));
        let mut first: Vec<String> = Vec::new();
        for key in open.into_iter().map(|(k, _)| k).chain(&state.recent) {
            if first.len() == MOST_FIRST {
                break;
            }
            if !first.contains(key) {
                first.push(key.clone());
            }
        }
        first
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_event_stream_names_its_page_as_keys_of_the_site() {
        assert_eq!(page_hint("/__dotwork/events"), Ok(vec![]));
        assert_eq!(page_hint("/__dotwork/events?x=1"), Ok(vec![]));
        assert_eq!(page_hint("/__dotwork/events?page=%2F"), Ok(vec!["index.html".to_string()]));
        assert_eq!(
            page_hint("/__dotwork/events?v=2&page=%2Fnews%2Fcaf%25C3%25A9%2F"),
            Ok(vec!["news/café/index.html".to_string()])
        );
        assert_eq!(
            page_hint("/__dotwork/events?page=%2Fabout"),
            Ok(vec!["about".to_string(), "about/index.html".to_string()])
        );
    }

    #[test]
    fn a_page_name_that_could_not_be_served_or_is_too_long_is_refused() {
        for bad in ["..%2Fetc", "%2F..%2Fsecret", "about", "%2Fa%5Cb", "%2Fa%2500", "%ZZ", "%2F%2e%2e%2Fx"] {
            assert_eq!(page_hint(&format!("/__dotwork/events?page={bad}")), Err(()), "{bad}");
        }
        let long = format!("/__dotwork/events?page=%2F{}", "a".repeat(MOST_HINT_BYTES));
        assert_eq!(page_hint(&long), Err(()));
        let fits = format!("/__dotwork/events?page=%2F{}%2F", "a".repeat(MOST_HINT_BYTES - 6));
        assert!(page_hint(&fits).is_ok());
    }

    #[test]
    fn open_pages_come_first_newest_first_then_visited_ones_and_never_too_many() {
        let visits = Arc::new(Visits::default());
        visits.visited("c/index.html");
        visits.visited("b/index.html");
        let a = visits.open(vec!["a/index.html".to_string()]);
        let b = visits.open(vec!["b/index.html".to_string()]);
        let b_again = visits.open(vec!["b/index.html".to_string()]);
        assert_eq!(visits.first(), ["b/index.html", "a/index.html", "c/index.html"]);
        drop(b);
        assert_eq!(visits.first()[0], "b/index.html", "still open in another tab");
        drop(b_again);
        drop(a);
        assert_eq!(visits.first(), ["b/index.html", "c/index.html"]);
        let many: Vec<Open> =
            (0..MOST_FIRST * 3).map(|i| visits.open(vec![format!("{i}/index.html")])).collect();
        for i in 0..MOST_RECENT * 3 {
            visits.visited(&format!("v{i}"));
        }
        assert_eq!(visits.first().len(), MOST_FIRST);
        assert_eq!(visits.lock().recent.len(), MOST_RECENT);
        drop(many);
        assert!(visits.lock().open.is_empty(), "closed streams leave nothing behind");
    }
}
