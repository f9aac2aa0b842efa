//! The build cache's shortcut for a site that did not change: when no file
//! the build reads changed since the last build into the same output
//! folder (same binary, settings and day), and that folder is still as the
//! build left it, a build would write the same files again and report the
//! same warnings. It does neither: it leaves the output as it is and
//! repeats the warnings (issue 16: a rebuild with nothing changed costs at
//! most a tenth of a cold build).
//!
//! "Did not change" is decided as `make`, Cargo and Git's index do, by
//! looking at files rather than reading them: every file and folder the
//! load stage walks (`site.yaml`, `content/`, `templates/`, `static/`,
//! `themes/`) is stamped with its size, modification and change times and
//! file number before the build reads it, and every file and folder of the
//! output after the swap: each folder as it then is, each file as the build
//! put it there ([`Placed`]; one changed since differs from its stamp). A
//! folder's times change when an entry is added,
//! removed or renamed in it, so the next build stats the stamped paths and
//! never lists a folder.
//!
//! A build that finds something changed still uses the output's stamps:
//! when its folders are as stamped, the output holds only the files the
//! last build wrote, and the build need not list it before replacing it
//! ([`LastStamps::output_files`]; asked while the site is parsed, then the
//! output folder alone again when it is replaced,
//! [`LastStamps::output_top_as_left`]). Those folders, as found, are kept with
//! its own stamps when it keeps that output as its spare; the build that
//! writes into the spare next stamps the folders it did not touch with
//! them instead of looking again ([`SpareFolders`]).
//!
//! A change within the same tick of the file system's clock as the stamp
//! could leave the times as they were (Git calls such an entry "racily
//! clean"). The output's folders, just written, have their modification
//! time set back by [`RACY`] before they are stamped, so any later entry
//! added or removed moves it. What the stamps cannot see turns the shortcut
//! off, so the next build is an ordinary one: a symbolic link among the
//! inputs (its target may change unseen), an input changed less than
//! [`RACY`] before it was stamped (the output's stamps are kept then, the
//! inputs' are not), and any system but Unix (no file numbers nor change
//! times).

use crate::collections::{HashSet, PathMap};
use std::collections::BTreeSet;
use std::ffi::OsStr;
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::Diagnostic;
use crate::look::{Kind, Look, Within};

/// Inputs changed this shortly before they were stamped are not trusted.
const RACY: Duration = Duration::from_secs(1);

/// One file or folder as it was when stamped; `None` when it did not exist.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Stamp {
    path: PathBuf,
    state: Option<State>,
}

/// What a file's or folder's metadata tells of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct State {
    folder: bool,
    len: u64,
    /// Modification time, nanoseconds since 1970.
    modified: u64,
    /// Change time (Unix), nanoseconds since 1970: moved, linked, or its
    /// times set back. Not kept for output files, whose change time the
    /// next build's links move.
    changed: u64,
    /// The file number (inode).
    number: u64,
}

/// Stamps as kept: one string of bytes (`packed.rs`), each stamp its path,
/// then a byte for none, file or folder and, unless none, the four
/// numbers (8 bytes each). As MessagePack records with the names of their
/// fields, 30,000 stamps took 79 M instructions to write and read again at
/// 10,000 pages (issue 16). A path that is not UTF-8 is not kept (the
/// build then keeps no stamps).
mod packed {
    use super::super::packed::{Reader, from_bytes, put_text};
    use super::{Stamp, State};
    use serde::Deserializer;
    use std::path::PathBuf;

    const NONE: u8 = 0;
    const FILE: u8 = 1;
    const FOLDER: u8 = 2;

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Vec<Stamp>, D::Error> {
        from_bytes(deserializer, "stamps as bytes", |read| unpack(read.0))
    }

    pub(super) fn pack(stamps: &[Stamp]) -> Result<Vec<u8>, &'static str> {
        let size =
            stamps.iter().map(|s| 4 + s.path.as_os_str().len() + 1 + if s.state.is_some() { 32 } else { 0 });
        let mut bytes = Vec::with_capacity(size.sum());
        for stamp in stamps {
            put_text(&mut bytes, Some(stamp.path.to_str().ok_or("a path is not UTF-8")?))?;
            match stamp.state {
                None => bytes.push(NONE),
                Some(state) => {
                    bytes.push(if state.folder { FOLDER } else { FILE });
                    for n in [state.len, state.modified, state.changed, state.number] {
                        bytes.extend_from_slice(&n.to_le_bytes());
                    }
                }
            }
        }
        Ok(bytes)
    }

    /// How many stamps `bytes` holds, as far as it can be read.
    pub(super) fn count(bytes: &[u8]) -> usize {
        let mut read = Reader(bytes);
        let mut n = 0;
        while read.skip_text().is_ok() {
            match read.array::<1>() {
                Ok([NONE]) => {}
                Ok(_) if read.skip(32).is_ok() => {}
                _ => break,
            }
            n += 1;
        }
        n
    }

    pub(super) fn unpack(bytes: &[u8]) -> Result<Vec<Stamp>, &'static str> {
        let mut read = Reader(bytes);
        // Counted first: grown as read, the list was copied 40 times.
        let mut stamps = Vec::with_capacity(count(bytes));
        while !read.is_done() {
            let path = PathBuf::from(read.text()?.ok_or("a stamp without a path")?);
            let [kind] = read.array()?;
            let state = match kind {
                NONE => None,
                FILE | FOLDER => Some(State {
                    folder: kind == FOLDER,
                    len: read.u64()?,
                    modified: read.u64()?,
                    changed: read.u64()?,
                    number: read.u64()?,
                }),
                _ => return Err("a stamp of no known kind"),
            };
            stamps.push(Stamp { path, state });
        }
        Ok(stamps)
    }
}

/// The inputs of a build, stamped before it read them.
#[derive(Debug)]
pub struct Inputs {
    stamps: Vec<Stamp>,
    taken: SystemTime,
}

/// What a build reported, repeated by a build that finds nothing changed.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Outcome {
    /// Pages written.
    pub pages: usize,
    /// Files written in all.
    pub files: usize,
    /// Image variants written.
    pub image_variants: usize,
    /// The problems that did not stop the build, as shown.
    pub warnings: Vec<Diagnostic>,
}

/// The stamps of the last build into one output folder (written by
/// [`Record::encode`]).
#[derive(Debug, Deserialize)]
struct Record {
    key: String,
    #[serde(with = "packed")]
    inputs: Vec<Stamp>,
    #[serde(with = "packed")]
    outputs: Vec<Stamp>,
    /// The output's folders as the build before found them, the output
    /// itself first, when this build kept that output as its spare
    /// ([`SpareFolders`]); empty otherwise.
    #[serde(with = "packed")]
    spare: Vec<Stamp>,
    outcome: Outcome,
}

impl Inputs {
    /// Stamps what the load stage of the site at `root` reads; `None` when
    /// the stamps could not tell a change (a link, an unreadable entry) or
    /// the load stage refuses what they found (a pipe, a device).
    pub fn stamp(root: &Path) -> Option<Inputs> {
        let taken = SystemTime::now();
        let mut stamps = Vec::new();
        let [content, templates, statics, themes] = crate::source::SITE_FOLDERS;
        for name in [crate::config::CONFIG_FILE, content, templates, statics, themes] {
            let top = root.join(name);
            match fs::symlink_metadata(&top) {
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                    stamps.push(Stamp { path: PathBuf::from(name), state: None });
                }
                Ok(meta) => {
                    let stamp =
                        Stamp { path: PathBuf::from(name), state: Some(state(&Look::of(&meta), true)?) };
                    let under = if meta.is_dir() { stamp_folder(root, &stamp)? } else { Vec::new() };
                    stamps.push(stamp);
                    stamps.extend(under);
                }
                Err(_) => return None,
            }
        }
        // Held to the end of the build: without the room it grew into.
        stamps.shrink_to_fit();
        Some(Inputs { stamps, taken })
    }

    /// Whether every input was last changed well before it was stamped.
    fn settled(&self) -> bool {
        self.stamps.iter().filter_map(|s| s.state).all(|s| self.settled_state(s))
    }

    /// Whether a file or folder in this state was last changed well before
    /// the inputs were stamped (so a change since would move its times).
    fn settled_state(&self, state: State) -> bool {
        let before = self.taken.checked_sub(RACY).and_then(|t| nanos(Ok(t)));
        before.is_some_and(|before| state.modified < before && state.changed < before)
    }

    /// The stamp of each input file (not folder) that was last changed
    /// well before it was stamped, by its path from the site's root: a file
    /// whose stamp is the same in a later build has the same bytes (the
    /// build cache then need not read a page again, `bodies.rs`).
    pub fn settled_files(&self) -> PathMap<FileStamp> {
        self.stamps
            .iter()
            .filter_map(|s| Some((s, s.state?)))
            .filter(|(_, state)| !state.folder && self.settled_state(*state))
            .map(|(s, state)| {
                (
                    s.path.as_os_str().to_owned(),
                    FileStamp(state.len, state.modified, state.changed, state.number),
                )
            })
            .collect()
    }
}

/// The walk that stamped the inputs lists the site for the load stage:
/// each stamped folder's entries follow it, in the walk's order, and none is
/// a link, pipe or device (else there are no stamps).
impl crate::source::Walked for Inputs {
    fn under(&self, dir: &Path) -> Option<Vec<(&Path, bool)>> {
        let at = self.stamps.iter().position(|s| s.path.as_os_str() == dir.as_os_str())?;
        self.stamps[at].state.filter(|s| s.folder)?;
        // The walk joined each name to its folder's path: what is under
        // `dir` starts with it and a separator (compared as bytes, not
        // part by part, which was a third of this listing's instructions).
        let dir = dir.as_os_str().as_encoded_bytes();
        let under = |s: &&Stamp| {
            let path = s.path.as_os_str().as_encoded_bytes();
            path.starts_with(dir)
                && path.get(dir.len()).is_some_and(|&b| std::path::is_separator(char::from(b)))
        };
        let entries = self.stamps[at + 1..].iter().take_while(under);
        Some(entries.map(|s| (s.path.as_path(), s.state.is_some_and(|s| s.folder))).collect())
    }
}

/// An input file's size, modification and change times and file number,
/// as [`Inputs::stamp`] found them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct FileStamp(u64, u64, u64, u64);

/// The state of a file or folder (a link is not trusted: `None`).
fn state(look: &Look, with_change: bool) -> Option<State> {
    if look.kind == Kind::Link {
        return None;
    }
    let folder = look.kind == Kind::Folder;
    let changed = if with_change { u64::try_from(look.changed?).ok()? } else { 0 };
    Some(State {
        folder,
        len: if folder { 0 } else { look.len },
        modified: u64::try_from(look.modified?).ok()?,
        changed,
        number: look.number,
    })
}

/// The stamps of everything in the site's folder that `folder` stamps, in
/// the order a walk sorted by name meets it: each entry, a folder's
/// followed by its own ([`crate::walk`]). Each entry is looked at from its
/// open folder (listed whole first and looked at after, one core walked
/// 10,000 pages' folders, 7-9 ms, while the other waited: stamping took a
/// one-page rebuild 25.7 against 20.4 ms now, medians of 15, issue 16).
/// `None` if an entry cannot be stamped, or is a pipe or device, which the
/// load stage refuses.
fn stamp_folder(root: &Path, folder: &Stamp) -> Option<Vec<Stamp>> {
    let list = |folder: &Stamp| stamp_entries(root, &folder.path).ok_or(());
    crate::walk::in_walk_order(folder, list, |stamp| stamp.state.is_some_and(|s| s.folder)).ok()
}

/// The stamps of the entries of the folder `rel` of the site at `root`, by
/// name.
fn stamp_entries(root: &Path, rel: &Path) -> Option<Vec<Stamp>> {
    let mut entries: Vec<(std::ffi::OsString, fs::DirEntry)> = fs::read_dir(root.join(rel))
        .ok()?
        .map(|e| e.map(|e| (e.file_name(), e)))
        .collect::<Result<_, _>>()
        .ok()?;
    entries.sort_unstable_by(|a, b| a.0.cmp(&b.0));
    entries
        .par_iter()
        .map(|(name, entry)| {
            let look = Look::of(&entry.metadata().ok()?);
            if look.kind == Kind::Other {
                return None;
            }
            let state = state(&look, true)?;
            Some(Stamp { path: rel.join(name), state: Some(state) })
        })
        .collect()
}

/// Nanoseconds since 1970 (to the year 2554).
fn nanos(time: std::io::Result<SystemTime>) -> Option<u64> {
    let since = time.ok()?.duration_since(UNIX_EPOCH).ok()?;
    u64::try_from(since.as_nanos()).ok()
}

/// Whether `stamps` of the output, paths under `dir`, still describe what
/// is there.
fn unchanged(dir: &Path, stamps: &[Stamp]) -> bool {
    let dir = Within::open(dir);
    stamps.par_iter().all(|s| {
        let now = match dir.look(&s.path) {
            Ok(look) => match state(&look, false) {
                Some(state) => Some(state),
                None => return false,
            },
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
            Err(_) => return false,
        };
        now == s.state
    })
}

/// Where the output's mark is among its stamps: after the output and its
/// folders, before its files (the order [`stamp`] makes them in).
fn mark_at(outputs: &[Stamp]) -> Option<usize> {
    outputs.iter().position(|s| s.path.as_os_str() == crate::output::mark::MARK)
}

/// The stamp of the output itself, first among `stamps` of an output or of
/// its folders.
fn top_stamp(stamps: &[Stamp]) -> Option<&Stamp> {
    stamps.first().filter(|s| s.path.as_os_str().is_empty())
}

/// The file number of the output itself ([`top_stamp`]).
fn top_number(stamps: &[Stamp]) -> Option<u64> {
    top_stamp(stamps).and_then(|s| s.state).map(|s| s.number)
}

/// The file of the stamps beside the build cache's `record` file.
fn stamps_file(record: &Path) -> PathBuf {
    record.with_extension("stamps")
}

/// The stamps the last build into an output kept, made with the key it
/// was read with (`None` for another binary, settings or day).
#[derive(Debug)]
pub struct LastStamps(Record);

impl LastStamps {
    /// The stamps kept beside the build cache's `record` file, if they were
    /// made with `key`.
    pub fn read(record: &Path, key: &str) -> Option<LastStamps> {
        let t = std::time::Instant::now();
        let bytes = fs::read(stamps_file(record)).ok()?;
        let last: Record = rmp_serde::from_slice(&bytes).ok()?;
        log::debug!("build cache: stamps read ({:?})", t.elapsed());
        (last.key == key).then_some(LastStamps(last))
    }

    /// What the last build into `output` reported, if nothing changed
    /// since: the inputs stamped now are as they were, and every file and
    /// folder of the output is as that build left it.
    pub fn outcome_if_unchanged(&self, inputs: &Inputs, output: &Path) -> Option<Outcome> {
        let last = &self.0;
        (last.inputs == inputs.stamps && unchanged(output, &last.outputs)).then(|| last.outcome.clone())
    }

    /// The files of the output folder `output`, if it holds what the last
    /// build left in it, as far as its folders tell without listing them:
    /// the output, each of its folders and its mark are as stamped (a
    /// folder's time moves when anything is added to it, removed or
    /// renamed), so it holds no other entry than the files the build
    /// wrote. Their bytes may have changed; whoever takes a file looks at
    /// it. Looks at one entry a folder instead of listing it, which costs
    /// five calls to the system (issue 16). The files come in the order
    /// they were stamped in, a set's.
    pub fn output_files(&self, output: &Path) -> Option<Vec<PathBuf>> {
        let outputs = &self.0.outputs;
        // Stamped in this order: the output, its folders, the mark, the files.
        let mark = mark_at(outputs)?;
        let (looked, files) = outputs.split_at(mark + 1);
        let folders = &looked[..mark];
        let as_left = folders.iter().all(|s| s.state.is_some_and(|state| state.folder))
            && files.iter().all(|s| s.state.is_some_and(|state| !state.folder))
            && unchanged(output, looked);
        as_left.then(|| files.iter().map(|s| s.path.clone()).collect())
    }

    /// Whether the output folder `output` itself is as stamped: asked again
    /// when [`Self::output_files`] was asked a while before, so that an entry
    /// added to it or removed from it since is seen (its time moves).
    pub fn output_top_as_left(&self, output: &Path) -> bool {
        top_stamp(&self.0.outputs).is_some_and(|top| unchanged(output, std::slice::from_ref(top)))
    }

    /// The output's folders as stamped, the output itself first, and the
    /// folders of the spare this build writes into as the build that kept
    /// it found them: moved out of the stamps, not copied (at 10,000 pages
    /// 20,000 paths), while the output is kept as the spare. The output's
    /// are what its folders are still known to be once this build kept it
    /// as its spare ([`OutputFolders::kept_at`]), if `vouched`:
    /// [`Self::output_files`] found them so (then nothing was added,
    /// removed or renamed in them).
    pub fn into_folders(self, vouched: bool) -> (OutputFolders, SpareFolders) {
        let Record { mut outputs, spare, .. } = self.0;
        let output = if vouched && top_number(&outputs).is_some() {
            outputs.truncate(mark_at(&outputs).unwrap_or(0));
            outputs.retain(|s| s.state.is_some_and(|state| state.folder));
            OutputFolders(outputs)
        } else {
            OutputFolders::default()
        };
        let top = top_number(&spare);
        let folders =
            spare.into_iter().skip(1).filter_map(|s| Some((s.path.into_os_string(), s.state?))).collect();
        (output, SpareFolders { top, folders })
    }
}

/// The folders of an output as stamped, the output itself first
/// ([`LastStamps::into_folders`]).
#[derive(Debug, Default)]
pub struct OutputFolders(Vec<Stamp>);

impl OutputFolders {
    /// These folders, if the output they are of is now kept at `spare`
    /// (the same file number) and none of them changed before it was kept
    /// (`output::spare::keep`); none otherwise.
    pub fn kept_at(self, spare: &Path) -> OutputFolders {
        let there = Look::at(spare).ok().and_then(|l| state(&l, false));
        let top = top_number(&self.0);
        if top.is_none() || top != there.map(|t| t.number) {
            return OutputFolders::default();
        }
        self
    }
}

/// The folders of a kept output as the build that kept it found them, by
/// path, and the file number of the kept output itself. A build that wrote
/// into that output (now its own) stamps each folder it did not touch with
/// these instead of looking at it again (at 10,000 pages, 10,000 calls to
/// the system). A folder that changed since then differs from its stamp,
/// which the next build sees, as it would see any change after a stamp.
#[derive(Debug, Default)]
pub struct SpareFolders {
    top: Option<u64>,
    folders: PathMap<State>,
}

/// The files a build put in its new folder, each as it was when put
/// there (size, modification time, file number), by path:
/// [`super::BuildCache::stamp`] takes them instead of looking at each file
/// again (at 10,000 pages, 10,000 calls to the system). A file someone
/// changes after the build put it there then differs from its stamp, which
/// the next build sees.
#[derive(Debug, Default)]
pub struct Placed(pub(super) PathMap<(u64, u64, u64)>);

/// The stamps of a build, made by `stamp`, for `keep` to write.
pub struct Stamped(Record);

/// Stamps the build just swapped into `output`, which read `inputs` and
/// wrote `files` (each as `placed`) into the spare its last build kept,
/// touching `touched` of its folders, with its `outcome` and `key`, and
/// keeps with them the folders of the output it replaced if it `kept` that
/// as its spare; `None` when the output changed as it was stamped. Inputs
/// changed too close to their stamping to be trusted are kept as none.
pub fn stamp(
    key: String,
    inputs: Inputs,
    output: &Path,
    (files, placed): (&BTreeSet<PathBuf>, &Placed),
    (spare, touched): (SpareFolders, HashSet<&OsStr>),
    kept: OutputFolders,
    outcome: Outcome,
) -> Option<Stamped> {
    let started = std::time::Instant::now();
    // Inputs changed as the build began may change again unseen: kept as
    // none, which no inputs equal, so the next build is never taken as
    // unchanged. What the stamps tell of the output is still true.
    let inputs = if inputs.settled() {
        inputs.stamps
    } else {
        log::debug!("build cache: inputs changed as the build began; the next build looks at every input");
        Vec::new()
    };
    let mut paths: Vec<&Path> = vec![Path::new("")];
    paths.extend(crate::output::folders_of(files));
    let folders = paths.len();
    paths.push(Path::new(crate::output::mark::MARK));
    paths.extend(files.iter().map(PathBuf::as_path));
    // A folder changed just now could have an entry added within the same
    // tick of the clock, which would leave its time as it is: the time of
    // such a folder is set back by `RACY`, so any later change moves it.
    // Folders the build did not touch (most, when one page changed) are
    // settled already and only looked at.
    // Set back to a whole second, which every file system with times to
    // the second or finer keeps as it is given, so the time set is the
    // time stamped without looking again; one that keeps it less finely
    // shows another time, and the next build looks at everything.
    let settled = SystemTime::now().checked_sub(RACY).and_then(|t| t.duration_since(UNIX_EPOCH).ok());
    let settled = settled.map(|t| UNIX_EPOCH + Duration::from_secs(t.as_secs()));
    let settled_nanos = settled.and_then(|t| nanos(Ok(t)));
    // The folders of the spare this build wrote into that it did not touch
    // are as the build that kept it found them; the output is that spare
    // if it is the same folder (a new one, made when there was none, has
    // every folder touched).
    let top = Look::at(output).ok().and_then(|l| state(&l, false));
    let out = Within::open(output);
    let spare = if spare.top.is_some() && spare.top == top.map(|t| t.number) {
        spare.folders
    } else {
        PathMap::default()
    };
    let reused = AtomicUsize::new(0);
    let outputs: Option<Vec<Stamp>> = paths
        .par_iter()
        .enumerate()
        .map(|(n, p)| {
            if let Some(&(len, modified, number)) = placed.0.get(p.as_os_str()) {
                // As the build left it: a change since shows in the next build.
                let state = State { folder: false, len, modified, changed: 0, number };
                return Some(Stamp { path: p.to_path_buf(), state: Some(state) });
            }
            if n > 0
                && n < folders
                && !touched.contains(p.as_os_str())
                && let Some(&state) = spare.get(p.as_os_str())
            {
                reused.fetch_add(1, Ordering::Relaxed);
                return Some(Stamp { path: p.to_path_buf(), state: Some(state) });
            }
            let mut look = out.look(p).ok()?;
            if n < folders && look.modified.and_then(|t| u64::try_from(t).ok()) >= settled_nanos {
                out.set_modified(p, settled?).ok()?;
                look.modified = Some(settled_nanos?.into());
            }
            Some(Stamp { path: p.to_path_buf(), state: Some(state(&look, false)?) })
        })
        .collect();
    let Some(outputs) = outputs else {
        log::debug!("build cache: the output changed as it was stamped");
        return None;
    };
    log::debug!(
        "build cache: outputs stamped, {} folders as they were kept ({:?})",
        reused.into_inner(),
        started.elapsed()
    );
    Some(Stamped(Record { key, inputs, outputs, spare: kept.0, outcome }))
}

impl Record {
    /// The record as kept: MessagePack, a list of its five parts, the
    /// stamps packed as bytes ([`packed`]), each list on whichever core is
    /// free (packed one after the other, they kept one core busy for 3-4
    /// ms at the end of a one-page rebuild at 10,000 pages while the other
    /// idled, issue 16).
    fn encode(&self, w: &mut impl std::io::Write) -> std::io::Result<()> {
        let ((inputs, outputs), spare) = rayon::join(
            || rayon::join(|| packed::pack(&self.inputs), || packed::pack(&self.outputs)),
            || packed::pack(&self.spare),
        );
        let written = |p: Result<Vec<u8>, &str>| p.map(PackedStamps).map_err(std::io::Error::other);
        let record = PackedRecord {
            key: &self.key,
            inputs: written(inputs)?,
            outputs: written(outputs)?,
            spare: written(spare)?,
            outcome: &self.outcome,
        };
        rmp_serde::encode::write(w, &record).map_err(std::io::Error::other)
    }
}

/// A [`Record`] as [`Record::encode`] writes it, its stamps packed.
#[derive(Serialize)]
struct PackedRecord<'r> {
    key: &'r str,
    inputs: PackedStamps,
    outputs: PackedStamps,
    spare: PackedStamps,
    outcome: &'r Outcome,
}

/// Stamps packed by [`packed::pack`], written as bytes.
struct PackedStamps(Vec<u8>);

impl Serialize for PackedStamps {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_bytes(&self.0)
    }
}

/// Keeps `stamped` beside the build cache's `record`.
pub fn keep(record: &Path, stamped: &Stamped) {
    let started = std::time::Instant::now();
    if super::keep_with(&stamps_file(record), |w| stamped.0.encode(w)) {
        log::debug!("build cache: stamps kept ({:?})", started.elapsed());
    }
}

/// Forgets the stamps of builds into the output of `record`, before that
/// output is replaced.
pub fn forget(record: &Path) {
    let _ = fs::remove_file(stamps_file(record));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stamps_are_kept_packed_and_read_back_as_they_were() {
        let state = |folder, n| State { folder, len: n, modified: n << 40, changed: u64::MAX, number: n + 1 };
        let stamps = vec![
            Stamp { path: PathBuf::from("site.yaml"), state: None },
            Stamp { path: PathBuf::from("content"), state: Some(state(true, 0)) },
            Stamp { path: PathBuf::from("content/über uns.md"), state: Some(state(false, 12_345)) },
        ];
        let record = Record {
            key: "k".into(),
            inputs: stamps.clone(),
            outputs: stamps[1..].to_vec(),
            spare: stamps[..2].to_vec(),
            outcome: Outcome { pages: 1, files: 2, image_variants: 0, warnings: Vec::new() },
        };
        let mut bytes = Vec::new();
        record.encode(&mut bytes).unwrap();
        let back: Record = rmp_serde::from_slice(&bytes).unwrap();
        assert_eq!((back.inputs, back.outputs), (stamps.clone(), stamps[1..].to_vec()));
        assert_eq!(back.spare, stamps[..2]);
        // Cut anywhere, the stamps are not read (the build is then an ordinary one).
        let packed = packed::pack(&stamps).unwrap();
        for cut in [packed.len() - 1, packed.len() - 9, 5, 4] {
            assert!(packed::unpack(&packed[..cut]).is_err(), "cut at {cut}");
        }
        assert_eq!(packed::unpack(&packed).unwrap(), stamps);
        assert_eq!(packed::count(&packed), stamps.len());
        assert_eq!(packed::count(&packed[..packed.len() - 1]), stamps.len() - 1, "the last stamp is cut");
    }

    #[test]
    fn the_inputs_are_stamped_in_the_order_of_a_walk_sorted_by_name() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        fs::write(root.join("site.yaml"), "title: T\n").unwrap();
        for rel in ["content/b/a.md", "content/a b/x.md", "content/a/z/y.md", "content/A.md", "content/é.md"]
        {
            fs::create_dir_all(root.join(rel).parent().unwrap()).unwrap();
            fs::write(root.join(rel), rel).unwrap();
        }
        fs::create_dir_all(root.join("static/empty")).unwrap();
        let walked: Vec<PathBuf> = ["site.yaml", "content", "templates", "static", "themes"]
            .iter()
            .flat_map(|name| {
                let walk = walkdir::WalkDir::new(root.join(name)).sort_by(crate::source::by_file_name);
                let found: Vec<PathBuf> = walk
                    .into_iter()
                    .filter_map(Result::ok)
                    .map(|e| e.path().strip_prefix(root).unwrap().to_path_buf())
                    .collect();
                if found.is_empty() { vec![PathBuf::from(name)] } else { found }
            })
            .collect();
        let stamps = Inputs::stamp(root).unwrap().stamps;
        assert_eq!(stamps.iter().map(|s| s.path.clone()).collect::<Vec<_>>(), walked);
        let missing: Vec<&Path> =
            stamps.iter().filter(|s| s.state.is_none()).map(|s| s.path.as_path()).collect();
        assert_eq!(missing, [Path::new("templates"), Path::new("themes")]);
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink(root.join("content/A.md"), root.join("content/b/link.md")).unwrap();
            assert!(Inputs::stamp(root).is_none(), "a link cannot be stamped");
        }
    }

    /// A folder nested deeper than any site would nest one is stamped
    /// like any other: the walk keeps where it is in a list, not on the
    /// stack (a walk calling itself overflowed it at 1,900 deep). On
    /// Linux, whose paths may be 4,096 bytes long (a Mac's 1,024).
    #[test]
    #[cfg(target_os = "linux")]
    fn a_folder_nested_thousands_deep_is_stamped_to_the_bottom() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        // As deep as a path the system takes whole allows (4,096 bytes).
        let levels = (4000 - root.as_os_str().len() - "/content".len()) / 2;
        let mut deep = root.join("content");
        deep.extend(std::iter::repeat_n("a", levels));
        fs::create_dir_all(&deep).unwrap();
        let stamps = Inputs::stamp(root).expect("a deep folder is stamped").stamps;
        let content: Vec<&Stamp> = stamps.iter().filter(|s| s.path.starts_with("content")).collect();
        assert_eq!(content.len(), levels + 1);
        assert_eq!(content.last().unwrap().path.components().count(), levels + 1);
    }

    #[test]
    fn the_output_itself_is_asked_again_alone() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        fs::create_dir_all(out.join("a")).unwrap();
        let stamp = |rel: &str| Stamp {
            path: PathBuf::from(rel),
            state: state(&Look::at(&out.join(rel)).unwrap(), false),
        };
        let outcome = Outcome { pages: 0, files: 0, image_variants: 0, warnings: Vec::new() };
        let outputs = vec![stamp(""), stamp("a")];
        let last = LastStamps(Record {
            key: String::new(),
            inputs: Vec::new(),
            outputs,
            spare: Vec::new(),
            outcome,
        });
        assert!(last.output_top_as_left(&out));
        // A folder's time moves by the clock's tick, which may be coarse.
        std::thread::sleep(std::time::Duration::from_millis(20));
        fs::write(out.join("a/late.html"), "x").unwrap();
        assert!(last.output_top_as_left(&out), "only the output itself is looked at");
        fs::write(out.join("late.html"), "x").unwrap();
        assert!(!last.output_top_as_left(&out), "an entry added to it moves its time");
    }
}
