//! Walking a folder tree on every core, in the order of a walk sorted by
//! name: a folder's entries right after it.
//!
//! The build stamps its inputs and lists its old output this way (issue 16:
//! at 10,000 pages each is 10,000 folders, and one core listing them while
//! the other waits was 7–9 ms of a 190 ms rebuild). The folders of one depth
//! are listed together, on every core, and the order is then made with an
//! explicit list of where the walk is, so a folder nested thousands deep
//! costs a list entry, not a stack frame on a thread with a small stack.

use rayon::prelude::*;

/// The items under the folder `top`, in the order of a walk: `list` gives a
/// folder's entries in order, and the walk goes into those `is_folder`
/// says are folders; a folder's items come right after it. `list` runs for
/// the folders of one depth on every core; the first error it gives ends
/// the walk.
pub(crate) fn in_walk_order<T, E>(
    top: &T,
    list: impl Fn(&T) -> Result<Vec<T>, E> + Sync,
    is_folder: impl Fn(&T) -> bool,
) -> Result<Vec<T>, E>
where
    T: Send + Sync,
    E: Send,
{
    // Each folder's entries, a folder's with the number of its own list:
    // `top`'s is the first, each depth's follow in order.
    let mut listed: Vec<Vec<(T, Option<usize>)>> = Vec::new();
    let mut found = vec![list(top)?];
    loop {
        let mut next = listed.len() + found.len();
        // Where the folders of the next depth are in `listed`.
        let mut depth = Vec::new();
        for entries in found {
            let at = listed.len();
            let entries = entries.into_iter().enumerate().map(|(n, item)| {
                let own = is_folder(&item).then(|| {
                    depth.push((at, n));
                    next += 1;
                    next - 1
                });
                (item, own)
            });
            listed.push(entries.collect());
        }
        if depth.is_empty() {
            break;
        }
        found = depth.par_iter().map(|&(at, n)| list(&listed[at][n].0)).collect::<Result<_, E>>()?;
    }
    let mut items = Vec::new();
    let mut take = |n: usize| listed.get_mut(n).map(std::mem::take).unwrap_or_default().into_iter();
    let mut walk = vec![take(0)];
    while let Some(at) = walk.last_mut() {
        match at.next() {
            Some((item, own)) => {
                items.push(item);
                if let Some(n) = own {
                    walk.push(take(n));
                }
            }
            None => {
                walk.pop();
            }
        }
    }
    Ok(items)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    /// A tree of names given as paths, each listed by name.
    fn tree(paths: &[&str]) -> BTreeMap<String, Vec<String>> {
        let mut folders: BTreeMap<String, Vec<String>> = BTreeMap::new();
        folders.entry(String::new()).or_default();
        for path in paths {
            let parent = path.trim_end_matches('/').rsplit_once('/').map_or("", |(parent, _)| parent);
            folders.entry(parent.to_string()).or_default().push(path.to_string());
            if let Some(folder) = path.strip_suffix('/') {
                folders.entry(folder.to_string()).or_default();
            }
        }
        folders
    }

    fn walked(paths: &[&str]) -> Vec<String> {
        let folders = tree(paths);
        let list = |folder: &String| -> Result<_, ()> {
            let mut entries = folders[folder.trim_end_matches('/')].clone();
            entries.sort();
            Ok(entries)
        };
        in_walk_order(&String::new(), list, |e| e.ends_with('/')).unwrap()
    }

    #[test]
    fn a_folders_items_come_right_after_it_before_its_next_sibling() {
        let paths = ["a/", "a/x", "a/y/", "a/y/z", "b", "c/", "c/d/", "c/d/e", "c/f"];
        assert_eq!(walked(&paths), paths);
    }

    #[test]
    fn the_walk_goes_as_deep_as_the_tree_without_a_frame_a_level() {
        // The folder numbered 2n holds a folder, 2n + 2, and after it a file, 2n + 3.
        const LEVELS: u32 = 100_000;
        let list = |&folder: &u32| -> Result<_, ()> {
            Ok(if folder / 2 < LEVELS { vec![folder + 2, folder + 3] } else { Vec::new() })
        };
        let items = in_walk_order(&0u32, list, |n| n % 2 == 0).unwrap();
        let folders = (1..=LEVELS).map(|n| 2 * n);
        let files = (1..=LEVELS).rev().map(|n| 2 * n + 1);
        assert_eq!(items, folders.chain(files).collect::<Vec<_>>());
    }

    #[test]
    fn the_first_error_ends_the_walk() {
        let result = in_walk_order(&0u32, |&n| if n < 3 { Ok(vec![n + 1]) } else { Err(n) }, |_| true);
        assert_eq!(result, Err(3));
    }
}
