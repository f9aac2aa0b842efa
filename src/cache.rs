//! The build cache: what `build` keeps between runs so that a rebuild
//! renders only the units whose inputs changed, and takes the files of the
//! others from the previous output (issue 16).
//!
//! After a build is swapped into place, a record is kept in
//! `.dotwork/cache/build/` (beside the image cache, outside the output, so
//! it is never published), one per output folder: for every render unit,
//! its name across runs ([`crate::render::UnitKey`]), the fingerprint of
//! everything it read ([`crate::render::Fingerprints::of_unit`]), the inline
//! code of its pages (what `_headers` allows), each file it wrote with its
//! size, modification time and file number as they were once written, and
//! of each page the ids it defines and what the publishing check found on
//! it (taken as they are while nothing it is checked against changed:
//! [`crate::check::Checked::key`]).
//!
//! The next build renders a unit only if its fingerprint changed, or if one
//! of its files in the old output is not, by those three, the file dotwork
//! wrote: a file someone edited, replaced or removed is never taken over,
//! it is rendered (`dotwork never deletes or reads what is not its own`).
//! The others are hard-linked (copied where links are not possible) from the
//! old output into the new folder, which is still swapped in whole. That
//! folder is the output before last, kept beside the record
//! (`output/spare.rs`): a file in it that is still the old output's own (the
//! same file, linked by the last build) is left as it is, so a rebuild makes
//! no folder and removes nothing that is still the site's.
//!
//! What a unit reads outside its declared inputs is in the record's
//! `global` key instead, and any change of it renders everything: the
//! dotwork binary (fingerprints are std's `Hash` fed to foldhash, which
//! only one binary is sure to repeat), the settings of the run, today's date,
//! the theme's words. A static file's fingerprint holds its source's
//! stamp (size, times, file number) as the build began, and is made only
//! if the file was settled then; an image's variants are named by the
//! image's bytes. `_headers`, which reads every page, is always rendered.
//!
//! Beside the record, the stamps of every file the build read and wrote
//! let a build with nothing changed stop before it reads anything
//! (`up_to_date.rs`).
//!
//! The record and the stamps are MessagePack (`rmp-serde`, fields by name):
//! at 10,000 pages they are 3 MB each, and as JSON reading and writing them
//! took a one-page rebuild 150 M instructions more (issue 16).
//!
//! A record that cannot be read, is for another binary or another output
//! folder, or does not parse, is ignored with a debug message: the build is
//! then a cold one. The record is removed before the output is replaced and
//! written again only after the swap, so a build killed in between leaves no
//! record that describes files that are gone.

use crate::collections::{HashMap, HashSet, PathMap};
use std::collections::BTreeSet;
use std::ffi::OsStr;
use std::fs;
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::check::links::PageIds;
use crate::check::{Checked, Earlier, Findings};
use crate::host::csp::Inline;
use crate::look::{Kind, Look, Within};
use crate::output::link_or_copy;
use crate::pipeline::Pipeline;
use crate::render::{Fingerprints, OutputContent, OutputFile, Unit, print};
use crate::scratch::Scratch;
use crate::settings::Settings;
use crate::site::Site;

mod bodies;
mod packed;
mod up_to_date;
pub use bodies::{Keeping, KeptBodies};
pub(crate) use bodies::{KeptBody, KeptFront, KeptPiece, TextNotes, text_print};
pub use up_to_date::{FileStamp, Inputs, LastStamps, Outcome, OutputFolders, Placed, SpareFolders, Stamped};

/// Where the records are, inside the site's folder.
pub const CACHE_DIR: &str = ".dotwork/cache/build";

/// The record's format; a change of it makes old records unreadable, and
/// so ignored.
const FORMAT: u32 = 8;

/// The extension of a record's file (`<hash of the output's path>.record`);
/// the other files of its output are named by it (`.stamps`, `.spare`).
const RECORD: &str = "record";

/// The build cache of one output folder: the record of the last build into
/// it, if it could be trusted, and where the next one goes.
#[derive(Debug)]
pub struct BuildCache {
    file: Option<PathBuf>,
    /// What the stamps of an unchanged site are kept with
    /// ([`stamps_key`]).
    stamps_key: String,
    global: u64,
    check_key: u64,
    old: Units,
}

/// A record's units, by kind and then name. Each is boxed where it is read
/// and moved as a box from there into the plan: at 224 bytes, held inline
/// they made the record's maps 4 MB and the plan's list 3.2 MB at 10,000
/// pages, most of it empty slots and, in a cold build, empty records.
type Units = HashMap<String, PathMap<Box<UnitRecord>>>;

/// What the record says of one unit.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct UnitRecord {
    kind: String,
    key: PathBuf,
    print: u64,
    files: Vec<FileRecord>,
    #[serde(default)]
    inline: Option<[Vec<String>; 4]>,
    /// Of each file in `files`, the ids of the page in it, so the next
    /// build need not read it back for the publishing check's index.
    ids: Vec<Option<PageIds>>,
    /// Of each file in `files`, what the publishing check found on the
    /// page in it, against the record's `check_key`.
    findings: Vec<Option<Findings>>,
}

/// One file as dotwork wrote it: enough to tell it was not changed since.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct FileRecord {
    path: PathBuf,
    len: u64,
    modified: u128,
    number: u64,
}

impl FileRecord {
    /// Whether the file `look` describes is this one, as recorded.
    fn is(&self, look: &Look) -> bool {
        (look.len, look.modified, look.number) == (self.len, Some(self.modified), self.number)
    }
}

/// Kept as two MessagePack values, one after the other: whose record it
/// is (the format, the binary, the output folder: [`Head`]), then the
/// rest, so that a build can tell that without reading the units
/// ([`prune_spares`] asks it of every other output's record: at 10,000
/// pages, reading one whole and dropping it took about 40 M instructions,
/// issue 16).
#[derive(Debug)]
struct Record {
    format: u32,
    binary: String,
    output: PathBuf,
    global: u64,
    /// What the units' findings were checked against ([`Checked::key`]).
    check_key: u64,
    #[allow(
        clippy::vec_box,
        reason = "each read into a box that moves on into the record's maps and the plan (`Units`)"
    )]
    units: Vec<Box<UnitRecord>>,
}

/// The start of a kept [`Record`]: its format, binary and output folder.
type Head = (u32, String, PathBuf);

impl Record {
    /// Writes this record as it is kept.
    fn encode(&self, w: &mut impl std::io::Write) -> Result<(), rmp_serde::encode::Error> {
        rmp_serde::encode::write(w, &(self.format, &self.binary, &self.output))?;
        rmp_serde::encode::write(w, &(self.global, self.check_key, &self.units))
    }

    /// The head of the record kept as `bytes`, read alone.
    fn head(bytes: &[u8]) -> Result<Head, rmp_serde::decode::Error> {
        Deserialize::deserialize(&mut rmp_serde::Deserializer::from_read_ref(bytes))
    }

    /// The record kept as `bytes`.
    fn decode(bytes: &[u8]) -> Result<Record, rmp_serde::decode::Error> {
        let mut de = rmp_serde::Deserializer::from_read_ref(bytes);
        let (format, binary, output) = Deserialize::deserialize(&mut de)?;
        let (global, check_key, units) = Deserialize::deserialize(&mut de)?;
        Ok(Record { format, binary, output, global, check_key, units })
    }
}

/// The last build's record, as [`BuildCache::read_last`] found it.
#[derive(Debug)]
pub struct LastRecord {
    file: Option<PathBuf>,
    read: Option<ReadRecord>,
}

/// A record this binary wrote of the same output folder.
#[derive(Debug)]
struct ReadRecord {
    global: u64,
    check_key: u64,
    units: Units,
}

impl BuildCache {
    /// The record the last build into `output` (its real path) kept, read
    /// and decoded: what [`Self::open`] needs besides the parsed site, so a
    /// build reads it on one core while it reads the kept bodies on another.
    /// Nothing with `--no-cache`.
    pub fn read_last(settings: &Settings, output: &Path) -> LastRecord {
        if settings.no_cache {
            return LastRecord { file: None, read: None };
        }
        let file = record_file(&settings.root, output);
        let read = file.as_deref().and_then(|f| read_record(f, output));
        LastRecord { file, read }
    }

    /// The cache for building `site` into `output` (its real path) with
    /// `settings`: the `last` build's record if it is usable, else an empty
    /// one. With `--no-cache`, nothing is read and nothing will be kept.
    pub fn open(settings: &Settings, output: &Path, site: &Site, last: LastRecord) -> BuildCache {
        let global = global_key(settings, site);
        let stamps_key = stamps_key(settings, output);
        if settings.no_cache {
            // The output is about to change: a record of it would be stale.
            if let Some(file) = record_file(&settings.root, output) {
                let _ = fs::remove_file(&file);
                up_to_date::forget(&file);
                bodies::forget(&file);
                let _ = fs::remove_dir_all(spare_folder(&file));
            }
            return BuildCache { file: None, stamps_key, global, check_key: 0, old: HashMap::default() };
        }
        let LastRecord { file, read } = last;
        if let Some(file) = &file {
            prune_spares(file);
        }
        let (check_key, old) = match (read, &file) {
            (Some(read), _) if read.global == global => (read.check_key, read.units),
            (Some(_), Some(file)) => {
                let why = "made with other settings, theme words or on another day";
                log::debug!("build cache: not using {}: {why}", file.display());
                (0, Units::default())
            }
            _ => (0, Units::default()),
        };
        BuildCache { file, stamps_key, global, check_key, old }
    }

    /// Where the output this build replaces is kept for the next one to
    /// write into (`output/spare.rs`); none with `--no-cache`.
    pub fn spare(&self) -> Option<PathBuf> {
        self.file.as_deref().map(spare_folder)
    }

    /// The stamps the last build into `output` (its real path) with
    /// `settings` kept (`up_to_date.rs`); none with `--no-cache`.
    pub fn last_stamps(settings: &Settings, output: &Path) -> Option<LastStamps> {
        if settings.no_cache {
            return None;
        }
        LastStamps::read(&record_file(&settings.root, output)?, &stamps_key(settings, output))
    }

    /// Stamps the build just swapped into `output` (its real path), which
    /// read `inputs`, wrote `files` (`placed`) into the `spare` kept by the
    /// last build, touching the folders `touched` of it, and had this
    /// `outcome`, for [`Self::keep_stamps`]; the folders of the output it
    /// replaced are `kept` with the stamps if it kept that output as its
    /// spare. `None` when they cannot be trusted or there is no cache.
    pub fn stamp(
        &self,
        inputs: Inputs,
        output: &Path,
        (files, placed): (&BTreeSet<PathBuf>, &Placed),
        spare: (SpareFolders, HashSet<&OsStr>),
        kept: OutputFolders,
        outcome: Outcome,
    ) -> Option<Stamped> {
        self.file.as_ref()?;
        up_to_date::stamp(self.stamps_key.clone(), inputs, output, (files, placed), spare, kept, outcome)
    }

    /// Keeps the stamps of a build: after its records, which the stamps
    /// vouch for.
    pub fn keep_stamps(&self, stamped: &Stamped) {
        if let Some(file) = &self.file {
            up_to_date::keep(file, stamped);
        }
    }

    /// What the last build into `output` (its real path) with `settings`
    /// kept of its pages' bodies (`bodies.rs`); nothing with `--no-cache`.
    pub fn kept_bodies(settings: &Settings, output: &Path) -> Option<KeptBodies> {
        if settings.no_cache {
            return None;
        }
        bodies::read(&record_file(&settings.root, output)?, &bodies_key(settings))
    }

    /// Keeps what the next build needs of the pages' `bodies`, reading
    /// back from the run's `scratch` file what waits there.
    pub(crate) fn keep_bodies(&self, settings: &Settings, bodies: Keeping, scratch: Option<&Scratch>) {
        if let Some(file) = &self.file {
            bodies::keep(file, &bodies_key(settings), bodies, scratch);
        }
    }

    /// Plans the render: which units of `pipeline` may be taken from the old
    /// output (their fingerprint and files as recorded), and the
    /// fingerprints to record for each ([`Fingerprints::of`]); a static
    /// file's holds its source's stamp as the build began, from `settled`
    /// (none if it was not settled: it is copied again). The record's
    /// units are moved into the plan (asked once).
    pub fn plan(
        &mut self,
        pipeline: &Pipeline<'_>,
        site: &Site,
        settled: &(dyn Fn(&Path) -> Option<FileStamp> + Sync),
    ) -> Plan {
        let units = pipeline.units();
        let prints = if self.file.is_some() { Some(Fingerprints::of(site)) } else { None };
        let keyed: Vec<(&'static str, PathBuf, Option<u64>)> = units
            .par_iter()
            .enumerate()
            .map(|(i, &unit)| {
                let (kind, key) = unit.key(site);
                // The units never taken from the old output are not recorded.
                let prints = prints.as_ref().filter(|_| reusable(unit, site));
                let read =
                    prints.and_then(|p| Some((p.of_unit(unit, site)?, source_stamp(unit, site, settled)?)));
                let print = read.map(|(p, source)| {
                    let mut h = print();
                    (self.global, p, source).hash(&mut h);
                    // As their bytes: `Path`'s hash goes through each byte to normalize it.
                    pipeline.unit_outputs(i).iter().for_each(|f| f.as_os_str().hash(&mut h));
                    h.finish()
                });
                (kind, key, print)
            })
            .collect();
        let mut old = std::mem::take(&mut self.old);
        let entries: Vec<PlanEntry> = keyed
            .into_iter()
            .enumerate()
            .map(|(i, (kind, key, print))| {
                let old = print.and_then(|print| {
                    let record = old.get_mut(kind)?.remove(key.as_os_str())?;
                    // As bytes, as the print hashed them: `Path`'s `==`
                    // compares part by part (issue 16).
                    let outputs = pipeline.unit_outputs(i).iter().map(|p| p.as_os_str());
                    let same =
                        record.print == print && record.files.iter().map(|f| f.path.as_os_str()).eq(outputs);
                    same.then_some(record)
                });
                PlanEntry { kind, key, print, old, taken: Vec::new() }
            })
            .collect();
        Plan { entries, file: self.file.clone(), check_key: self.check_key }
    }

    /// Forgets the record before the output is replaced (see the module's
    /// notes).
    pub fn forget(&self) {
        if let Some(file) = &self.file {
            let _ = fs::remove_file(file);
            up_to_date::forget(file);
        }
    }
}

/// Whether a unit's files may be taken from the old output: not
/// `_headers` (it reads every page's inline code, and is rendered after
/// them), nor an image's variants where they may be left for later (their
/// files are then the source photo, not the variants: `serve`).
fn reusable(unit: Unit, site: &Site) -> bool {
    let deferred = matches!(unit, Unit::Image(_)) && site.images.defer;
    !unit.after_others() && !deferred
}

/// What a unit's fingerprint holds of the bytes of a source it copies: of
/// a static file from the site, its stamp as the build began, if it was
/// settled then (a file changed since has another; the fingerprint itself
/// names the source by its path). `None` if the unit must be copied again,
/// `Some(None)` if it copies nothing of the site's or its fingerprint
/// holds the bytes (the built-in theme's files, an image's variants named
/// by the image's bytes).
fn source_stamp(
    unit: Unit,
    site: &Site,
    settled: &(dyn Fn(&Path) -> Option<FileStamp> + Sync),
) -> Option<Option<FileStamp>> {
    match unit {
        Unit::Asset(i) => match &site.assets[i].source {
            crate::source::AssetSource::File(_) => settled(&site.assets[i].origin).map(Some),
            crate::source::AssetSource::Builtin(_) => Some(None),
        },
        _ => Some(None),
    }
}

/// Which units a build takes from the old output, and what it will record.
#[derive(Debug)]
pub struct Plan {
    entries: Vec<PlanEntry>,
    file: Option<PathBuf>,
    check_key: u64,
}

#[derive(Debug)]
struct PlanEntry {
    kind: &'static str,
    key: PathBuf,
    print: Option<u64>,
    old: Option<Box<UnitRecord>>,
    /// The files taken from the old output, as they are in the new.
    taken: Vec<FileRecord>,
}

impl Plan {
    /// How many units may be taken from the old output.
    pub fn candidates(&self) -> usize {
        self.entries.iter().filter(|e| e.old.is_some()).count()
    }

    /// Links (or copies) into `dir` the files of every unit the plan takes
    /// from `old_output`, each checked to be the file dotwork wrote there.
    /// A unit whose files are not is dropped from the plan, to be rendered.
    /// Each unit's files taken are handed to `keep` as the check needs them
    /// (a page's HTML, read back; other files by name), one unit at a time.
    /// Returns the files it put into `dir` or removed from it (those it
    /// found there as recorded are left as they are).
    pub(crate) fn take_from(
        &mut self,
        old_output: &Path,
        dir: &Within,
        held: &HashSet<&OsStr>,
        keep: &(dyn Fn(&[OutputFile]) + Sync),
    ) -> Vec<PathBuf> {
        let same_disk = file_numbers_compare(old_output, dir.path());
        let old_output = &Within::open(old_output);
        let taken: Vec<(Option<Vec<FileRecord>>, Vec<PathBuf>)> = self
            .entries
            .par_iter()
            .map(|e| {
                let Some(record) = e.old.as_ref() else { return (None, Vec::new()) };
                match take_files(record, old_output, dir, held, same_disk) {
                    Ok(TakenFiles { files, records, placed }) => {
                        keep(&files);
                        (Some(records), placed)
                    }
                    Err(why) => {
                        log::debug!("build cache: rendering {} {} again: {why}", e.kind, e.key.display());
                        for f in &record.files {
                            let _ = fs::remove_file(dir.path().join(&f.path));
                        }
                        (None, record.files.iter().map(|f| f.path.clone()).collect())
                    }
                }
            })
            .collect();
        let mut changed = Vec::new();
        for (entry, (taken, mut placed)) in self.entries.iter_mut().zip(taken) {
            match taken {
                Some(records) => entry.taken = records,
                None => entry.old = None,
            }
            changed.append(&mut placed);
        }
        changed
    }

    /// What the last build's publishing check found on the pages this one
    /// takes from the old output, for the check to take as they are if
    /// nothing they are checked against changed.
    pub fn earlier(&self) -> Earlier {
        let pages = self
            .entries
            .iter()
            .filter_map(|e| e.old.as_ref())
            .flat_map(|old| old.files.iter().zip(&old.findings))
            .filter_map(|(file, found)| Some((file.path.clone(), found.clone()?)))
            .collect();
        Earlier { key: self.check_key, pages }
    }

    /// The files this build put in its new folder, as it put them: those
    /// taken from the old output and those `written`.
    pub fn placed(&self, written: &Written) -> Placed {
        let noted = written.0.as_ref().map(|w| w.lock().unwrap_or_else(std::sync::PoisonError::into_inner));
        let written = noted.iter().flat_map(|w| w.iter()).flat_map(|(_, (files, _))| files);
        let taken = self.entries.iter().filter(|e| e.old.is_some()).flat_map(|e| &e.taken);
        Placed(
            taken
                .chain(written)
                .filter_map(|f| {
                    let modified = u64::try_from(f.modified).ok()?;
                    Some((f.path.as_os_str().to_owned(), (f.len, modified, f.number)))
                })
                .collect(),
        )
    }

    /// Whether unit `i` was taken from the old output (so is not rendered).
    pub fn is_reused(&self, i: usize) -> bool {
        self.entries[i].old.is_some()
    }

    /// The inline code of the pages of unit `i`, taken from the old output.
    pub fn inline(&self, i: usize) -> Option<Inline> {
        let [scripts, styles, script_attrs, style_attrs] = self.entries[i].old.as_ref()?.inline.clone()?;
        let set = |v: Vec<String>| v.into_iter().collect();
        Some(Inline {
            scripts: set(scripts),
            styles: set(styles),
            script_attrs: set(script_attrs),
            style_attrs: set(style_attrs),
        })
    }

    /// Keeps the record of the build just swapped into `output` (its real
    /// path): the units rendered, with the files `written` recorded and the
    /// inline code in `inline`, and the units taken from the old output;
    /// with what the publishing check found on each page (`checked`).
    /// A record that cannot be written is left out, with a debug message.
    pub fn save(
        self,
        cache: &BuildCache,
        output: &Path,
        written: Written,
        inline: Vec<(usize, Inline)>,
        checked: &Checked,
    ) {
        let Some(file) = &self.file else { return };
        let mut written: HashMap<usize, (Vec<FileRecord>, Vec<Option<PageIds>>)> = written
            .0
            .map(|w| w.into_inner().unwrap_or_else(std::sync::PoisonError::into_inner))
            .into_iter()
            .flatten()
            .collect();
        let mut inline: HashMap<usize, Inline> = inline.into_iter().collect();
        let units = self
            .entries
            .into_iter()
            .enumerate()
            .filter_map(|(i, e)| {
                let print = e.print?;
                let (files, kept_inline, ids) = match e.old {
                    Some(old) => (e.taken, old.inline, old.ids),
                    None => {
                        let (files, ids) = written.remove(&i)?;
                        (files, inline.remove(&i).and_then(inline_record), ids)
                    }
                };
                let findings = files.iter().map(|f| checked.pages.get(f.path.as_os_str()).cloned()).collect();
                Some(Box::new(UnitRecord {
                    kind: e.kind.to_string(),
                    key: e.key,
                    print,
                    files,
                    inline: kept_inline,
                    ids,
                    findings,
                }))
            })
            .collect();
        let record = Record {
            format: FORMAT,
            binary: binary(),
            output: output.to_path_buf(),
            global: cache.global,
            check_key: checked.key,
            units,
        };
        keep_record(file, &record);
    }
}

/// Writes `record` as MessagePack into `file` (atomically, making its folder),
/// and says so at debug level; a record that cannot be written is left
/// out, with a debug message. Without field names, as the kept bodies
/// (`bodies.rs`, `piece`): each struct the list of its fields in order, so
/// every type in a record writes every field, empty or not. At 10,000
/// pages the names were 18% of the record's 3.2 MB.
fn keep_record(file: &Path, record: &Record) -> bool {
    keep_with(file, |w| record.encode(w).map_err(std::io::Error::other))
}

/// Writes into `file` what `write` writes, as [`keep_record`] does.
fn keep_with(file: &Path, write: impl FnOnce(&mut crate::output::Buffered) -> std::io::Result<()>) -> bool {
    let dir = file.parent().unwrap_or(Path::new("."));
    let saved = fs::create_dir_all(dir)
        .map_err(crate::error::Error::io("create folder", dir))
        .and_then(|()| crate::output::write_atomically_with(file, dir, write));
    if let Err(e) = &saved {
        log::debug!("build cache: could not keep {}: {e}", file.display());
    }
    saved.is_ok()
}

/// The files each rendered unit wrote, as written (by unit number), when
/// a record will be kept.
#[derive(Debug, Default)]
pub struct Written(Option<Mutex<Noted>>);

/// Each rendered unit's number with its files, and the ids of the pages in
/// them.
type Noted = Vec<(usize, (Vec<FileRecord>, Vec<Option<PageIds>>))>;

impl Written {
    /// Notes nothing unless `cache` keeps a record.
    pub fn for_cache(cache: &BuildCache) -> Written {
        Written(cache.file.as_ref().map(|_| Mutex::default()))
    }

    /// Notes the files of unit `unit`, just written under `dir`. A file that
    /// cannot be looked at leaves the unit out of the record.
    pub(crate) fn wrote(&self, unit: usize, dir: &Within, files: &[OutputFile]) {
        let Some(written) = &self.0 else { return };
        // A list of just their number: collected through `Option`, a
        // unit's one file was given room for four (2.6 against 0.7 MB
        // at 10,000 pages, held to the end; issue 16).
        let mut records = Vec::with_capacity(files.len());
        for f in files {
            let Some(record) = file_record(&f.path, dir) else { return };
            records.push(record);
        }
        let ids = files.iter().map(|f| f.ids.clone()).collect();
        written.lock().unwrap_or_else(std::sync::PoisonError::into_inner).push((unit, (records, ids)));
    }
}

/// A unit's files taken from the old output ([`take_files`]).
struct TakenFiles {
    /// As the check for publishing errors needs them.
    files: Vec<OutputFile>,
    /// As they now are in the new folder.
    records: Vec<FileRecord>,
    /// Those put there (the others were there already, the same files).
    placed: Vec<PathBuf>,
}

/// Links the files of `unit` from `old_output` into `dir`, each only if it
/// is as recorded, and reads back what the check for publishing errors
/// needs and the record does not hold. A file `dir` already holds (`held`)
/// that is the old output's own, the same file, is left as it is.
fn take_files(
    unit: &UnitRecord,
    old_output: &Within,
    dir: &Within,
    held: &HashSet<&OsStr>,
    same_disk: bool,
) -> Result<TakenFiles, String> {
    let files = &unit.files;
    let mut taken = Vec::with_capacity(files.len());
    let mut records = Vec::with_capacity(files.len());
    let mut placed = Vec::new();
    for (n, f) in files.iter().enumerate() {
        let there = held.contains(f.path.as_os_str()).then(|| dir.look(&f.path).ok()).flatten();
        let now = match there {
            // The old output's own file, still as recorded: the same number
            // on the same disk is the same file, so the old output's is not
            // looked at again.
            Some(there) if same_disk && f.is(&there) => f.clone(),
            _ => {
                let old = old_output.look(&f.path).ok().filter(|l| l.kind == Kind::File);
                if !old.is_some_and(|old| f.is(&old)) {
                    let from = old_output.path().join(&f.path);
                    return Err(format!("{} is not the file dotwork wrote", from.display()));
                }
                placed.push(f.path.clone());
                link_into(&old_output.path().join(&f.path), &dir.path().join(&f.path), f)?
            }
        };
        let ids = unit.ids.get(n).cloned().flatten();
        // An image is not read for a GPS position again: only a build that
        // found none keeps a record, and the file is as it wrote it.
        let read = crate::url::is_html(&f.path) && ids.is_none();
        let bytes = if read {
            let to = dir.path().join(&f.path);
            fs::read(&to).map_err(|e| format!("cannot read {}: {e}", to.display()))?
        } else {
            Vec::new()
        };
        let mut file = OutputFile::new(f.path.clone(), OutputContent::Bytes(bytes));
        file.ids = ids;
        taken.push(file);
        records.push(now);
    }
    Ok(TakenFiles { files: taken, records, placed })
}

/// Links (or copies) the old output's file `from`, recorded as `f`, to `to`,
/// replacing (never writing through) a file there; returns the file now at
/// `to`.
fn link_into(from: &Path, to: &Path, f: &FileRecord) -> Result<FileRecord, String> {
    let linked = link_or_copy(from, to).map_err(|e| format!("cannot copy {}: {e}", from.display()))?;
    let look = Look::at(to).map_err(|e| format!("cannot look at {}: {e}", to.display()))?;
    let now = record_of(&f.path, &look).ok_or_else(|| format!("cannot look at {}", to.display()))?;
    // A link is the same file, so it must still be the one recorded: it
    // could have changed between the look above and the link.
    if (linked && now != *f) || now.len != f.len {
        return Err(format!("{} changed while it was taken", from.display()));
    }
    Ok(now)
}

/// Whether a file number in the folder `a` and one in `b` name the same
/// file when equal: the two are on one disk, on Unix (elsewhere the records
/// hold no file numbers). Not `output::spare`'s `on_one_disk`, which asks
/// whether one folder can be renamed to the other's place.
fn file_numbers_compare(a: &Path, b: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        matches!((fs::metadata(a), fs::metadata(b)), (Ok(a), Ok(b)) if a.dev() == b.dev())
    }
    #[cfg(not(unix))]
    {
        let _ = (a, b);
        false
    }
}

/// The size, modification time and file number of `path` in `dir`, if it
/// is a plain file.
fn file_record(path: &Path, dir: &Within) -> Option<FileRecord> {
    record_of(path, &dir.look(path).ok().filter(|l| l.kind == Kind::File)?)
}

/// The record of the file at `path` that `look` describes.
fn record_of(path: &Path, look: &Look) -> Option<FileRecord> {
    Some(FileRecord {
        path: path.to_path_buf(),
        len: look.len,
        modified: look.modified?,
        number: look.number,
    })
}

/// A unit's inline code as the record keeps it; none when it has none.
fn inline_record(inline: Inline) -> Option<[Vec<String>; 4]> {
    if inline.is_empty() {
        return None;
    }
    let Inline { scripts, styles, script_attrs, style_attrs } = inline;
    Some([scripts, styles, script_attrs, style_attrs].map(|s| s.into_iter().collect()))
}

/// The folder beside the build cache's `record` file where the output
/// before last is kept.
fn spare_folder(record: &Path) -> PathBuf {
    record.with_extension("spare")
}

/// Removes the outputs kept beside records other than `own` whose output
/// folder is gone (or whose record is): with its output gone, a kept output
/// holds the only copy of a whole site, for no build to use.
fn prune_spares(own: &Path) {
    let Some(dir) = own.parent() else { return };
    for entry in fs::read_dir(dir).into_iter().flatten().flatten() {
        let spare = entry.path();
        if spare.extension() != Some(OsStr::new("spare")) || spare == spare_folder(own) {
            continue;
        }
        let record = fs::read(spare.with_extension(RECORD)).ok();
        let head = record.and_then(|bytes| Record::head(&bytes).ok());
        if !head.is_some_and(|(_, _, output)| output.is_dir()) {
            log::debug!("build cache: removing {}, kept for an output folder that is gone", spare.display());
            let _ = fs::remove_dir_all(&spare);
        }
    }
}

/// The record of builds into `output` of the site at `root`: named by the
/// output's path, so two output folders have a record each. Named with
/// SipHash and fixed keys, not [`print`]: a name that changed with the
/// binary (or with the hash's next version) would leave the files of
/// the old one behind in the cache.
fn record_file(root: &Path, output: &Path) -> Option<PathBuf> {
    let root = crate::output::real_path(root).ok()?;
    let mut h = siphasher::sip::SipHasher13::new_with_keys(0x646f_7477_6f72_6b20, 0x756e_6974_7320_2021);
    output.hash(&mut h);
    Some(root.join(CACHE_DIR).join(format!("{:016x}.{RECORD}", h.finish())))
}

/// The record in `file`, if it is one this binary wrote, of `output`: its
/// units by name, and the keys [`BuildCache::open`] compares.
fn read_record(file: &Path, output: &Path) -> Option<ReadRecord> {
    let bytes = match fs::read(file) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return None,
        Err(e) => {
            log::debug!("build cache: cannot read {}: {e}", file.display());
            return None;
        }
    };
    let ignore = |e: rmp_serde::decode::Error| log::debug!("build cache: ignoring {}: {e}", file.display());
    let (format, made_by, of) = Record::head(&bytes).map_err(ignore).ok()?;
    let why = if format != FORMAT || made_by != binary() {
        "made by another dotwork"
    } else if of != output {
        "of another output folder"
    } else {
        let record = Record::decode(&bytes).map_err(ignore).ok()?;
        // Each kind's map made at its size: grown as filled, its entries of
        // 200 bytes were moved again at each doubling.
        let mut sizes: HashMap<&str, usize> = HashMap::default();
        record.units.iter().for_each(|u| *sizes.entry(u.kind.as_str()).or_default() += 1);
        let mut units: Units = sizes
            .into_iter()
            .map(|(kind, n)| (kind.to_string(), PathMap::with_capacity_and_hasher(n, Default::default())))
            .collect();
        for unit in record.units {
            if let Some(of_kind) = units.get_mut(&unit.kind) {
                of_kind.insert(unit.key.as_os_str().to_owned(), unit);
            }
        }
        return Some(ReadRecord { global: record.global, check_key: record.check_key, units });
    };
    log::debug!("build cache: not using {}: {why}", file.display());
    None
}

/// What every unit may read besides its inputs: a change of any of these
/// renders every unit again.
fn global_key(settings: &Settings, site: &Site) -> u64 {
    let mut h = print();
    run_key(settings).hash(&mut h);
    format!("{:?}", site.words).hash(&mut h);
    format!("{:?}", site.feed_base).hash(&mut h);
    h.finish()
}

/// The settings a build is made with (the output folder is the record's),
/// and today's date.
fn run_key(settings: &Settings) -> u64 {
    let mut h = print();
    settings_key(settings).hash(&mut h);
    format!("{:?}", settings.parse_options().today).hash(&mut h);
    h.finish()
}

/// The settings a build is made with that change what it parses.
fn settings_key(settings: &Settings) -> u64 {
    let mut h = print();
    (settings.drafts, &settings.base_url, format!("{:?}", settings.broken_links), settings.one_domain)
        .hash(&mut h);
    h.finish()
}

/// What kept bodies must have been made with: this binary and record
/// format, and [`settings_key`] (a body does not depend on the day).
fn bodies_key(settings: &Settings) -> String {
    format!("{FORMAT} {} {:016x}", binary(), settings_key(settings))
}

/// What the stamps of a build must have been made with for the next build
/// to trust them: this binary and record format, the output folder and
/// [`run_key`].
fn stamps_key(settings: &Settings, output: &Path) -> String {
    format!("{FORMAT} {} {} {:016x}", binary(), output.display(), run_key(settings))
}

/// The dotwork binary: its version, and the size and time of the program
/// file (a rebuilt binary of the same version is another).
fn binary() -> String {
    let exe = std::env::current_exe().ok().and_then(|exe| fs::metadata(exe).ok());
    let stamp = exe.map(|m| {
        let modified = m.modified().ok().and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok());
        format!("{}-{}", m.len(), modified.map_or(0, |d| d.as_nanos()))
    });
    format!("{} {}", env!("CARGO_PKG_VERSION"), stamp.unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A unit of one file, `a.txt`, as it now is in `old_output`.
    fn unit(old_output: &Path) -> UnitRecord {
        UnitRecord {
            kind: "asset".into(),
            key: "a.txt".into(),
            print: 0,
            files: vec![file_record(Path::new("a.txt"), &Within::open(old_output)).unwrap()],
            inline: None,
            ids: vec![None],
            findings: vec![None],
        }
    }

    /// A record reads back as it was kept, with its empty fields: it is kept
    /// without field names (`keep_record`), so a field left out would shift
    /// the ones after it, and the record would not be read.
    #[test]
    fn a_record_reads_back_as_it_was_kept() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join("a.txt"), "a").unwrap();
        let bare = unit(dir.path());
        let full = UnitRecord {
            inline: Some([vec!["s".into()], vec![], vec!["a".into()], vec![]]),
            findings: vec![Some(Findings::default())],
            ..unit(dir.path())
        };
        let record = Record {
            format: FORMAT,
            binary: binary(),
            output: dir.path().to_path_buf(),
            global: 1,
            check_key: 2,
            units: vec![Box::new(bare), Box::new(full)],
        };
        let file = dir.path().join("r.record");
        assert!(keep_record(&file, &record));
        let bytes = fs::read(&file).unwrap();
        let back = Record::decode(&bytes).unwrap();
        assert_eq!(Record::head(&bytes).unwrap(), (FORMAT, binary(), dir.path().to_path_buf()));
        assert_eq!(format!("{back:?}"), format!("{record:?}"));
    }

    #[test]
    fn a_file_taken_replaces_one_in_the_way_and_leaves_one_already_the_same() {
        let dir = tempfile::tempdir().unwrap();
        let (old, new) = (dir.path().join("old"), dir.path().join("new"));
        fs::create_dir_all(&old).unwrap();
        fs::create_dir_all(&new).unwrap();
        fs::write(old.join("a.txt"), "published").unwrap();
        // In the way: a file sharing its data with another, which must not change.
        fs::write(dir.path().join("other.txt"), "someone's").unwrap();
        fs::hard_link(dir.path().join("other.txt"), new.join("a.txt")).unwrap();
        let unit = unit(&old);
        let one_disk = file_numbers_compare(&old, &new);
        assert_eq!(one_disk, cfg!(unix));
        // Whether the folder is known to hold it or not.
        let held = HashSet::from_iter([OsStr::new("a.txt")]);
        for holds in [HashSet::default(), held.clone()] {
            fs::remove_file(new.join("a.txt")).unwrap();
            fs::hard_link(dir.path().join("other.txt"), new.join("a.txt")).unwrap();
            let TakenFiles { records, placed, .. } =
                take_files(&unit, &Within::open(&old), &Within::open(&new), &holds, one_disk).unwrap();
            assert_eq!(fs::read_to_string(new.join("a.txt")).unwrap(), "published");
            assert_eq!(fs::read_to_string(dir.path().join("other.txt")).unwrap(), "someone's");
            assert_eq!(records, unit.files, "linked: the same file");
            assert_eq!(placed, [PathBuf::from("a.txt")], "its folder changed");
        }
        // Held and already the old output's own file: left as it is, even
        // once the old output's name for it names another file.
        fs::remove_file(old.join("a.txt")).unwrap();
        fs::write(old.join("a.txt"), "replaced").unwrap();
        // (Looked at after the old name went, which moved its change time.)
        let before = fs::symlink_metadata(new.join("a.txt")).unwrap();
        let TakenFiles { records, placed, .. } =
            take_files(&unit, &Within::open(&old), &Within::open(&new), &held, one_disk).unwrap();
        assert_eq!(fs::read_to_string(new.join("a.txt")).unwrap(), "published");
        assert_eq!(records, unit.files);
        assert!(placed.is_empty(), "its folder is as it was: {placed:?}");
        let after = fs::symlink_metadata(new.join("a.txt")).unwrap();
        assert_eq!(before.modified().unwrap(), after.modified().unwrap());
        // Not linked again either: that would have changed its change time.
        #[cfg(unix)]
        {
            use std::os::unix::fs::MetadataExt;
            assert_eq!((before.ctime(), before.ctime_nsec()), (after.ctime(), after.ctime_nsec()));
        }
    }
}
