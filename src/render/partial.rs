//! `partial(name="partials/footer.html")`: a template rendered once for
//! each set of values it reads, instead of once for every page that shows
//! it (issue 16: the clinic theme's footer alone was 8% of a cold build's
//! instructions, and it is the same on nearly every page).
//!
//! Hugo's `partialCached` leaves the key to the theme author, who must name
//! every value the partial depends on: a value forgotten there is a page
//! showing another page's footer. Here the key is worked out: the variables
//! the template and what it includes read (Tera's own list of them), with
//! the values they have where `partial` is called; and the page's address
//! when the rendering called a function that reads it (`picture`,
//! `image_meta`: [`page_address_read`]). The output is therefore always
//! what `{% include %}` would give. A partial that differs on every page is
//! rendered every time, and after [`MAX_VARIANTS`] renderings it keeps no
//! more of them.

use std::cell::{Cell, RefCell};
use std::hash::{BuildHasher, Hash, Hasher};
use std::sync::{Arc, Mutex, OnceLock, Weak};

use tera::{Context, Kwargs, State, Tera, TeraResult, Value};

use crate::collections::HashMap;
use crate::source::TemplateFile;

/// How many renderings of one partial are kept; past that it is rendered
/// each time it is called (it differs from page to page).
pub(crate) const MAX_VARIANTS: usize = 64;

/// The variable of a page's context that holds its address, which
/// functions read from the calling template rather than from their
/// arguments.
const PAGE_ADDRESS: &str = "current_url";

thread_local! {
    /// Whether a function read [`PAGE_ADDRESS`] since the partial being
    /// rendered on this thread began.
    static ADDRESS_READ: Cell<bool> = const { Cell::new(false) };

    /// The error of a partial that failed on this thread, whole: Tera
    /// passes on a function's error as text alone, pointing at the call.
    static FAILED: RefCell<Option<tera::Error>> = const { RefCell::new(None) };
}

/// The error of the partial that made rendering fail with `e`, if one did:
/// it names the partial's own file and line, and the expression that failed.
pub(crate) fn failed_partial(e: &tera::Error) -> Option<tera::Error> {
    let failed = FAILED.with(|f| f.borrow_mut().take())?;
    e.to_string().contains(&failed.to_string()).then_some(failed)
}

/// Keeps `e`, the error of a partial, for [`failed_partial`], unless it is
/// only the error of a partial it calls, passed on; gives what to pass on.
fn failed(e: tera::Error) -> tera::Error {
    let passed_on = tera::Error::new(e.kind().clone());
    FAILED.with(|f| {
        let mut f = f.borrow_mut();
        if !f.as_ref().is_some_and(|inner| e.to_string().contains(&inner.to_string())) {
            *f = Some(e);
        }
    });
    passed_on
}

/// Called by a template function that reads the page's address from the
/// calling template: a partial whose rendering calls it is kept for that
/// address alone.
pub(crate) fn page_address_read() {
    ADDRESS_READ.with(|read| read.set(true));
}

/// The `partial` function of one [`Tera`] (one language's templates).
pub(crate) struct Partials {
    /// The templates it renders with, set once they are all parsed.
    tera: OnceLock<Weak<Tera>>,
    /// The theme's templates, to find the partials a partial calls.
    templates: Vec<TemplateFile>,
    /// The values of the templates' global context (`site`): read by a
    /// partial, each is known by its place here rather than hashed whole.
    globals: Vec<Value>,
    /// What each partial reads, worked out on its first call.
    reads: Mutex<HashMap<String, Arc<[String]>>>,
    /// Each partial's renderings so far.
    made: Mutex<HashMap<String, Vec<Variant>>>,
}

/// One rendering of a partial, and what it was rendered from.
struct Variant {
    /// [`key_hash`] of `values`.
    hash: u64,
    /// The values of the variables the partial reads, in their order.
    values: Vec<Value>,
    /// The page's address, if the rendering read it.
    address: Option<String>,
    html: Arc<str>,
}

impl Partials {
    /// The `partial` function of `templates`, whose global context is
    /// `global` (read for the values named `names`).
    pub(crate) fn new(templates: &[TemplateFile], global: &Context, names: &[&str]) -> Arc<Partials> {
        Arc::new(Partials {
            tera: OnceLock::new(),
            templates: templates.to_vec(),
            globals: names.iter().filter_map(|n| global.get(n).cloned()).collect(),
            reads: Mutex::default(),
            made: Mutex::default(),
        })
    }

    /// Gives the templates `partial` renders with, once they are parsed.
    pub(crate) fn set_tera(&self, tera: &Arc<Tera>) {
        let _ = self.tera.set(Arc::downgrade(tera));
    }

    /// Registers `partial(name=…)` on `tera`.
    pub(crate) fn register(self: &Arc<Partials>, tera: &mut Tera) {
        let partials = self.clone();
        tera.register_function("partial", move |kwargs: Kwargs, state: &State| {
            let name: &str = kwargs.must_get("name")?;
            partials.render(name, state).map(|html| Value::safe_string(&html))
        });
    }

    /// `name` rendered with the values it reads from `state`: kept from an
    /// earlier call with the same values, or rendered now.
    fn render(&self, name: &str, state: &State) -> TeraResult<Arc<str>> {
        let tera = self.tera.get().and_then(Weak::upgrade).ok_or_else(|| {
            tera::Error::message("partial: the templates are not ready yet (internal error)")
        })?;
        let reads = self.reads_of(&tera, name)?;
        let get = |n: &str| state.get::<Value>(n).ok().flatten().unwrap_or_else(Value::undefined);
        let values: Vec<Value> = reads.iter().map(|n| get(n)).collect();
        let address = get(PAGE_ADDRESS);
        let hash = key_hash(&values, &self.globals);
        let kept = |made: &Vec<Variant>| {
            made.iter()
                .find(|v| {
                    v.hash == hash
                        && v.values.len() == values.len()
                        && v.values.iter().zip(&values).all(|(a, b)| identical(a, b))
                        && v.address.as_deref().is_none_or(|a| address.as_str() == Some(a))
                })
                .map(|v| (v.html.clone(), v.address.is_some()))
        };
        if let Some((html, read)) = lock(&self.made).get(name).and_then(kept) {
            // A partial this one is part of read the address too.
            if read {
                page_address_read();
            }
            return Ok(html);
        }
        let mut context = Context::new();
        for (n, v) in reads.iter().zip(&values).filter(|(_, v)| !v.is_undefined()) {
            context.insert_value(n.clone(), v.clone());
        }
        if !address.is_undefined() {
            context.insert_value(PAGE_ADDRESS, address.clone());
        }
        let outer = ADDRESS_READ.with(|r| r.replace(false));
        let rendered = tera.render(name, &context);
        let read = ADDRESS_READ.with(|r| r.replace(outer || r.get()));
        let html: Arc<str> = Arc::from(rendered.map_err(failed)?);
        let mut made = lock(&self.made);
        let made = made.entry(name.to_string()).or_default();
        if made.len() < MAX_VARIANTS && kept(made).is_none() {
            let address = read.then(|| address.as_str().unwrap_or_default().to_string());
            made.push(Variant { hash, values, address, html: html.clone() });
        }
        Ok(html)
    }

    /// The variables the partial `name` reads, as Tera finds them in it and
    /// in what it includes, and in the partials it calls (which Tera does
    /// not look into).
    fn reads_of(&self, tera: &Tera, name: &str) -> TeraResult<Arc<[String]>> {
        if let Some(reads) = lock(&self.reads).get(name) {
            return Ok(reads.clone());
        }
        let mut reads: Vec<String> =
            tera.get_template_variables(name)?.into_iter().map(String::from).collect();
        for used in crate::source::templates_used(&self.templates, name).into_iter().skip(1) {
            reads.extend(
                tera.get_template_variables(&self.templates[used].name)?.into_iter().map(String::from),
            );
        }
        // Once each, in a fixed order, so that equal values make equal keys.
        reads.sort_unstable();
        reads.dedup();
        let reads: Arc<[String]> = reads.into();
        lock(&self.reads).insert(name.to_string(), reads.clone());
        Ok(reads)
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// A hash of `values`, equal for equal values; one of `globals` (the same
/// map or list, not an equal one) stands for itself by its place there.
/// Maps are hashed whatever their order (Tera's may be unordered).
fn key_hash(values: &[Value], globals: &[Value]) -> u64 {
    let mut h = foldhash::fast::FixedState::default().build_hasher();
    for v in values {
        match globals.iter().position(|g| same(g, v)) {
            Some(k) => k.hash(&mut h),
            None => hash_value(v, &mut h),
        }
    }
    h.finish()
}

/// Whether `a` and `b` are the same map or list (not merely equal ones).
fn same(a: &Value, b: &Value) -> bool {
    match (a.as_map(), b.as_map(), a.as_array(), b.as_array()) {
        (Some(a), Some(b), _, _) => std::ptr::eq(a, b),
        (_, _, Some(a), Some(b)) => std::ptr::eq(a, b),
        _ => false,
    }
}

/// Whether `a` and `b` print alike: equal, of the same kind (Tera takes
/// `1` and `1.0` as equal, and prints them differently), and strings alike
/// in being safe or to be escaped, all the way down. The same map or list
/// is known without looking into it.
fn identical(a: &Value, b: &Value) -> bool {
    if a.kind() != b.kind() {
        return false;
    }
    if let (Some(x), Some(y)) = (a.as_map(), b.as_map()) {
        return std::ptr::eq(x, y)
            || (x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| identical(v, w))));
    }
    if let (Some(x), Some(y)) = (a.as_array(), b.as_array()) {
        return std::ptr::eq(x, y) || (x.len() == y.len() && x.iter().zip(y).all(|(v, w)| identical(v, w)));
    }
    a.is_safe() == b.is_safe() && a == b
}

/// Hashes `v` so that values [`identical`] hash alike.
fn hash_value(v: &Value, h: &mut impl Hasher) {
    v.kind().hash(h);
    v.is_safe().hash(h);
    if let Some(s) = v.as_str() {
        s.hash(h);
    } else if let Some(b) = v.as_bool() {
        b.hash(h);
    } else if let Some(n) = v.as_i128() {
        n.hash(h);
    } else if let Some(n) = v.as_u128() {
        n.hash(h);
    } else if let Some(f) = v.as_f64() {
        f.to_bits().hash(h);
    } else if let Some(items) = v.as_array() {
        items.len().hash(h);
        for item in items {
            hash_value(item, h);
        }
    } else if let Some(map) = v.as_map() {
        map.len().hash(h);
        // Each entry's own hash, summed: the same whatever the order.
        let sum = map.iter().fold(0u64, |sum, (k, v)| {
            let mut e = foldhash::fast::FixedState::default().build_hasher();
            k.hash(&mut e);
            hash_value(v, &mut e);
            sum.wrapping_add(e.finish())
        });
        sum.hash(h);
    } else if let Some(bytes) = v.as_bytes() {
        bytes.hash(h);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Templates with `partial`, `site` in their global context, and
    /// `address()`, which reads the page's address as `picture` does.
    fn templates(site: serde_json::Value, all: &[(&str, &str)]) -> (Arc<Tera>, Arc<Partials>) {
        let mut tera = Tera::new();
        tera.global_context().insert("site", &site);
        let files: Vec<TemplateFile> = all
            .iter()
            .map(|(name, text)| TemplateFile {
                name: name.to_string(),
                path: name.into(),
                text: text.to_string(),
            })
            .collect();
        let partials = Partials::new(&files, tera.global_context(), &["site"]);
        partials.register(&mut tera);
        tera.register_function("address", |_: Kwargs, state: &State| {
            page_address_read();
            Ok::<_, tera::Error>(state.get::<String>(PAGE_ADDRESS)?.unwrap_or_default())
        });
        tera.add_raw_templates(all.iter().copied()).unwrap();
        let tera = Arc::new(tera);
        partials.set_tera(&tera);
        (tera, partials)
    }

    fn render(tera: &Tera, name: &str, values: &[(&str, serde_json::Value)]) -> String {
        let mut context = Context::new();
        for (k, v) in values {
            context.insert(k.to_string(), v);
        }
        tera.render(name, &context).unwrap()
    }

    fn kept(partials: &Partials, name: &str) -> usize {
        lock(&partials.made).get(name).map_or(0, Vec::len)
    }

    #[test]
    fn a_partial_gives_what_an_include_gives_rendering_once_per_set_of_values() {
        let (tera, partials) = templates(
            serde_json::json!({"title": "Clinic"}),
            &[
                ("p.html", "<p>{{ site.title }} {{ x }}{% if flag %} on{% endif %}</p>"),
                ("include.html", r#"{% include "p.html" %}"#),
                ("partial.html", r#"{{ partial(name="p.html") }}"#),
                ("set.html", r#"{% set flag = true %}{{ partial(name="p.html") }}"#),
            ],
        );
        let x = |n: i64| serde_json::json!(n);
        for values in [
            vec![("x", x(1))],
            vec![("x", x(2))],
            vec![("x", x(1))],
            vec![("x", x(1)), ("flag", true.into())],
        ] {
            assert_eq!(render(&tera, "partial.html", &values), render(&tera, "include.html", &values));
        }
        assert_eq!(render(&tera, "set.html", &[("x", x(2))]), "<p>Clinic 2 on</p>");
        // x = 1 and x = 2, each with flag (given or set) and without.
        assert_eq!(kept(&partials, "p.html"), 4);
    }

    #[test]
    fn a_partial_reads_the_variables_of_the_loop_it_is_called_in() {
        let (tera, _) = templates(
            serde_json::json!({}),
            &[
                ("item.html", "<li>{{ item }}</li>"),
                ("list.html", r#"{% for item in items %}{{ partial(name="item.html") }}{% endfor %}"#),
            ],
        );
        assert_eq!(
            render(&tera, "list.html", &[("items", serde_json::json!(["a", "b", "a"]))]),
            "<li>a</li><li>b</li><li>a</li>"
        );
    }

    #[test]
    fn a_partial_is_kept_for_one_page_only_when_its_rendering_read_the_page_address() {
        let (tera, partials) = templates(
            serde_json::json!({}),
            &[
                ("logo.html", "{% if logo %}{{ address() }}{% endif %}|{{ root }}"),
                ("outer.html", r#"[{{ partial(name="logo.html") }}]"#),
                ("page.html", r#"{{ partial(name="outer.html") }}"#),
            ],
        );
        let page = |url: &str, logo: bool| {
            let values = [("current_url", url.into()), ("root", "../".into()), ("logo", logo.into())];
            render(&tera, "page.html", &values)
        };
        assert_eq!(page("/a/", false), "[|../]");
        assert_eq!(page("/b/", false), "[|../]");
        assert_eq!(kept(&partials, "outer.html"), 1);
        // The inner partial read the address, so the outer one did too.
        assert_eq!(page("/a/", true), "[/a/|../]");
        assert_eq!(page("/b/", true), "[/b/|../]");
        assert_eq!(page("/a/", true), "[/a/|../]");
        assert_eq!(kept(&partials, "outer.html"), 3);
        assert_eq!(kept(&partials, "logo.html"), 3);
    }

    #[test]
    fn a_partial_that_differs_on_every_page_stops_being_kept() {
        let (tera, partials) = templates(
            serde_json::json!({}),
            &[("p.html", "{{ x }}"), ("page.html", r#"{{ partial(name="p.html") }}"#)],
        );
        for n in 0..MAX_VARIANTS as i64 + 20 {
            assert_eq!(render(&tera, "page.html", &[("x", n.into())]), n.to_string());
        }
        assert_eq!(kept(&partials, "p.html"), MAX_VARIANTS);
    }

    #[test]
    fn the_site_is_known_by_identity_and_a_value_in_its_place_by_its_contents() {
        let (tera, partials) = templates(
            serde_json::json!({"title": "Clinic"}),
            &[
                ("p.html", "{{ site.title }}"),
                ("page.html", r#"{{ partial(name="p.html") }}"#),
                ("shadow.html", r#"{% set site = other %}{{ partial(name="p.html") }}"#),
            ],
        );
        assert_eq!(render(&tera, "page.html", &[]), "Clinic");
        let other = serde_json::json!({"title": "Other"});
        assert_eq!(render(&tera, "shadow.html", &[("other", other)]), "Other");
        assert_eq!(render(&tera, "page.html", &[]), "Clinic");
        assert_eq!(kept(&partials, "p.html"), 2);
    }

    #[test]
    fn the_error_of_a_failed_partial_is_kept_whole_with_its_own_place() {
        let (tera, _) = templates(
            serde_json::json!({}),
            &[
                ("p.html", "\n{{ x + 1 }}"),
                ("outer.html", r#"{{ partial(name="p.html") }}"#),
                ("page.html", r#"<p>{{ partial(name="outer.html") }}</p>"#),
            ],
        );
        let mut context = Context::new();
        context.insert("x", "text");
        let e = tera.render("page.html", &context).unwrap_err();
        let inner = failed_partial(&e).expect("the partial's own error");
        let tera::ErrorKind::RenderingError(report) = inner.kind() else { panic!("{inner:?}") };
        assert_eq!((report.filename(), report.span().start_line), ("p.html", 2));
        assert!(failed_partial(&e).is_none(), "taken once");
        // An error that no partial made is not given one.
        let e = tera.render("p.html", &context).unwrap_err();
        assert!(failed_partial(&e).is_none());
    }

    #[test]
    fn values_equal_but_printed_differently_are_not_taken_for_each_other() {
        let (tera, partials) = templates(
            serde_json::json!({}),
            &[
                ("p.html", "{{ x }}"),
                ("page.html", r#"{{ partial(name="p.html") }}"#),
                ("safe.html", r#"{% set x = y | safe %}{{ partial(name="p.html") }}"#),
            ],
        );
        assert_eq!(render(&tera, "page.html", &[("x", 1.into())]), "1");
        assert_eq!(render(&tera, "page.html", &[("x", 1.0.into())]), "1.0");
        assert_eq!(render(&tera, "page.html", &[("x", "<b>".into())]), "&lt;b&gt;");
        assert_eq!(render(&tera, "safe.html", &[("y", "<b>".into())]), "<b>");
        assert_eq!(
            render(&tera, "page.html", &[("x", serde_json::json!(["<b>"]))]),
            "[&quot;&lt;b&gt;&quot;]"
        );
        assert_eq!(kept(&partials, "p.html"), 5);
    }

    #[test]
    fn maps_hash_alike_in_any_order() {
        let a = Value::from_serializable(&serde_json::json!({"a": 1, "b": [true, "x"]}));
        let b = Value::from_serializable(&serde_json::json!({"b": [true, "x"], "a": 1}));
        let c = Value::from_serializable(&serde_json::json!({"b": [true, "y"], "a": 1}));
        assert_eq!(key_hash(std::slice::from_ref(&a), &[]), key_hash(&[b], &[]));
        assert_ne!(key_hash(&[a], &[]), key_hash(&[c], &[]));
    }
}
