//! Pagination: splitting a section's listing into pages of `paginate_by`
//! (issue 10).
//!
//! The first listing page is the section's own address (`/news/`), the next
//! ones are `/news/page/2/`, `/news/page/3/`, ...; `/news/page/1/` exists
//! only as a redirect to `/news/`, so a hand-typed or guessed URL still
//! works. An empty section still has its one listing page, showing it has no
//! pages yet. Pages are counted from 1, as people count them.
//!
//! URLs here are site-absolute paths, like every URL inside dotwork; the
//! template context ([`Pager::context`]) turns them into relative links from
//! the listing page, so the site still works under a sub-path.

use std::num::NonZeroUsize;
use std::ops::Range;

use serde::Serialize;

use crate::url::relative_url;

/// The path part between a section's address and a page number.
pub const PAGE_PATH: &str = "page";

/// One listing page of a section.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pager {
    /// Which page this is, from 1.
    pub current: usize,
    /// How many listing pages the section has (at least 1).
    pub total: usize,
    /// The positions of this page's items in the section's listing order.
    pub items: Range<usize>,
    /// How many items the whole section lists.
    pub total_items: usize,
    /// Items per page; `None` when everything is on one page.
    pub paginate_by: Option<NonZeroUsize>,
    /// Its site-absolute URL path: `/news/`, `/news/page/2/`.
    pub path: String,
    /// The previous listing page, if any.
    pub previous: Option<String>,
    /// The next listing page, if any.
    pub next: Option<String>,
    /// The first listing page (the section's address).
    pub first: String,
    /// The last listing page.
    pub last: String,
    /// Addresses that redirect here: `/news/page/1/` on the first page of a
    /// paginated section, nothing otherwise.
    pub redirect_from: Vec<String>,
}

/// The site-absolute path of page `number` (from 1) of the section at
/// `section_path` (`/news/`).
pub fn pager_path(section_path: &str, number: usize) -> String {
    if number <= 1 { section_path.to_string() } else { format!("{section_path}{PAGE_PATH}/{number}/") }
}

/// Splits a listing of `n_items` into pages of `paginate_by` for the section
/// at `section_path` (a site-absolute path ending in `/`). `None` puts every
/// item on one page and makes no `/page/1/` redirect. Always at least one
/// pager: an empty section has one empty listing page.
pub fn paginate(section_path: &str, n_items: usize, paginate_by: Option<NonZeroUsize>) -> Vec<Pager> {
    let per_page = paginate_by.map_or(n_items.max(1), NonZeroUsize::get);
    let total = n_items.div_ceil(per_page).max(1);
    let path = |n: usize| pager_path(section_path, n);
    (1..=total)
        .map(|current| {
            let start = ((current - 1) * per_page).min(n_items);
            Pager {
                current,
                total,
                items: start..(start + per_page).min(n_items),
                total_items: n_items,
                paginate_by,
                path: path(current),
                previous: (current > 1).then(|| path(current - 1)),
                next: (current < total).then(|| path(current + 1)),
                first: path(1),
                last: path(total),
                redirect_from: if current == 1 && paginate_by.is_some() {
                    vec![format!("{section_path}{PAGE_PATH}/1/")]
                } else {
                    Vec::new()
                },
            }
        })
        .collect()
}

/// The `paginator` a listing page's template sees: this page's items and
/// links to the others, relative to this page.
#[derive(Debug, Clone, Serialize)]
pub struct PaginatorContext<'a, T> {
    /// The items on this page, in listing order.
    pub pages: &'a [T],
    /// Which page this is, from 1.
    pub current: usize,
    /// How many listing pages there are.
    pub total: usize,
    /// How many items the section lists in all.
    pub total_items: usize,
    /// Items per page; the total when the section is not paginated.
    pub paginate_by: usize,
    /// Link to the previous page, if any.
    pub previous: Option<String>,
    /// Link to the next page, if any.
    pub next: Option<String>,
    /// Link to the first page.
    pub first: String,
    /// Link to the last page.
    pub last: String,
}

impl Pager {
    /// The template context for this page, given the items it shows
    /// (`&all[pager.items.clone()]`), with every link relative to it.
    pub fn context<'a, T>(&self, pages: &'a [T]) -> PaginatorContext<'a, T> {
        let link = |to: &str| relative_url(&self.path, to);
        PaginatorContext {
            pages,
            current: self.current,
            total: self.total,
            total_items: self.total_items,
            paginate_by: self.paginate_by.map_or(self.total_items, NonZeroUsize::get),
            previous: self.previous.as_deref().map(link),
            next: self.next.as_deref().map(link),
            first: link(&self.first),
            last: link(&self.last),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn by(n: usize) -> Option<NonZeroUsize> {
        NonZeroUsize::new(n)
    }

    fn ranges(pagers: &[Pager]) -> Vec<(usize, usize)> {
        pagers.iter().map(|p| (p.items.start, p.items.end)).collect()
    }

    #[test]
    fn no_items_make_one_empty_page() {
        let pagers = paginate("/news/", 0, by(10));
        assert_eq!(pagers.len(), 1);
        let p = &pagers[0];
        assert_eq!((p.current, p.total, p.items.clone()), (1, 1, 0..0));
        assert_eq!((p.previous.as_deref(), p.next.as_deref()), (None, None));
        assert_eq!((p.first.as_str(), p.last.as_str(), p.path.as_str()), ("/news/", "/news/", "/news/"));
        assert_eq!(p.redirect_from, ["/news/page/1/"]);
        assert_eq!(ranges(&paginate("/news/", 0, None)), [(0, 0)]);
    }

    #[test]
    fn one_item_and_exactly_one_page_full() {
        assert_eq!(ranges(&paginate("/news/", 1, by(10))), [(0, 1)]);
        let pagers = paginate("/news/", 10, by(10));
        assert_eq!(ranges(&pagers), [(0, 10)]);
        assert_eq!(pagers[0].next, None);
    }

    #[test]
    fn one_more_than_a_page_makes_a_second_page() {
        let pagers = paginate("/news/", 11, by(10));
        assert_eq!(ranges(&pagers), [(0, 10), (10, 11)]);
        let (a, b) = (&pagers[0], &pagers[1]);
        assert_eq!(a.next.as_deref(), Some("/news/page/2/"));
        assert_eq!(a.previous, None);
        assert_eq!(b.path, "/news/page/2/");
        assert_eq!(b.previous.as_deref(), Some("/news/"));
        assert_eq!(b.next, None);
        assert_eq!(
            (b.current, b.total, b.first.as_str(), b.last.as_str()),
            (2, 2, "/news/", "/news/page/2/")
        );
        assert!(b.redirect_from.is_empty());
    }

    #[test]
    fn pages_cover_every_item_once_in_order_for_any_size() {
        for n in 0..40 {
            for per in 1..12 {
                let pagers = paginate("/news/", n, by(per));
                assert_eq!(pagers.len(), n.div_ceil(per).max(1), "{n} by {per}");
                let mut next = 0;
                for (i, p) in pagers.iter().enumerate() {
                    assert_eq!((p.current, p.total, p.total_items), (i + 1, pagers.len(), n));
                    assert_eq!(p.items.start, next, "{n} by {per}");
                    assert!(p.items.len() <= per && (p.items.len() == per || i + 1 == pagers.len()));
                    assert_eq!(p.previous.is_some(), i > 0);
                    assert_eq!(p.next.is_some(), i + 1 < pagers.len());
                    next = p.items.end;
                }
                assert_eq!(next, n);
            }
        }
    }

    #[test]
    fn middle_pages_link_both_ways() {
        let pagers = paginate("/", 25, by(5));
        assert_eq!(pagers.len(), 5);
        let p = &pagers[2];
        assert_eq!(p.path, "/page/3/");
        assert_eq!(p.previous.as_deref(), Some("/page/2/"));
        assert_eq!(p.next.as_deref(), Some("/page/4/"));
        assert_eq!(p.last, "/page/5/");
        assert_eq!(pagers.iter().map(|p| p.items.len()).sum::<usize>(), 25);
    }

    #[test]
    fn without_paginate_by_everything_is_on_one_page_without_redirect() {
        let pagers = paginate("/news/", 37, None);
        assert_eq!(ranges(&pagers), [(0, 37)]);
        assert!(pagers[0].redirect_from.is_empty());
        assert_eq!(pagers[0].context(&[0u8; 37]).paginate_by, 37);
    }

    #[test]
    fn context_links_are_relative_to_the_listing_page() {
        let pagers = paginate("/news/", 3, by(1));
        let items = ["b"];
        let ctx = pagers[1].context(&items);
        assert_eq!(ctx.previous.as_deref(), Some("../../"));
        assert_eq!(ctx.next.as_deref(), Some("../3/"));
        assert_eq!(ctx.first, "../../");
        assert_eq!(ctx.last, "../3/");
        let json = serde_json::to_value(&ctx).unwrap();
        assert_eq!(
            json,
            serde_json::json!({
                "pages": ["b"], "current": 2, "total": 3, "total_items": 3, "paginate_by": 1,
                "previous": "../../", "next": "../3/", "first": "../../", "last": "../3/"
            })
        );
        let first = pagers[0].context(&items);
        assert_eq!(
            (first.previous, first.next.as_deref(), first.first.as_str()),
            (None, Some("page/2/"), "./")
        );
    }
}
