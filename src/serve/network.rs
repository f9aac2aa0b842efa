//! The addresses a server listening beyond this computer answers at.
//!
//! `--bind 0.0.0.0` listens on every network the computer is on, but the
//! address it prints (`localhost`) works only on the computer itself; the
//! owner checking the site on a phone needs the computer's own addresses.
//! They are read from `/proc/net` on Linux; elsewhere the address the system
//! would use to reach the internet stands in (found without sending anything).

use std::collections::BTreeSet;
use std::net::{IpAddr, SocketAddr, UdpSocket};

/// Warns when `local` (the address listened on) lets other devices reach
/// the preview, and names the addresses that work for them.
pub(crate) fn warn_if_shown_to_the_network(local: SocketAddr) {
    let ip = local.ip();
    if ip.is_loopback() {
        return;
    }
    let addresses: Vec<IpAddr> = if ip.is_unspecified() { own_addresses(ip.is_ipv6()) } else { vec![ip] };
    let urls: Vec<String> =
        addresses.iter().map(|a| format!("http://{}/", SocketAddr::new(*a, local.port()))).collect();
    let urls = if urls.is_empty() { "none found".to_string() } else { urls.join(" ") };
    log::warn!(
        "--bind {ip} shows the site to every device that can reach this computer, without a \
         password; do this only on a network you trust. Other devices can open: {urls}"
    );
}

/// This computer's addresses other than loopback and link-local ones (which
/// a browser cannot use without a zone), IPv6 ones too when `v6`.
fn own_addresses(v6: bool) -> Vec<IpAddr> {
    let mut found = BTreeSet::new();
    if let Ok(trie) = std::fs::read_to_string("/proc/net/fib_trie") {
        found.extend(local_ipv4_from_fib_trie(&trie));
    }
    if v6 && let Ok(table) = std::fs::read_to_string("/proc/net/if_inet6") {
        found.extend(ipv6_from_if_inet6(&table));
    }
    if found.is_empty() {
        found.extend(route_source(v6));
    }
    found.into_iter().filter(|ip| usable(*ip)).collect()
}

fn usable(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(ip) => !ip.is_loopback() && !ip.is_link_local() && !ip.is_unspecified(),
        IpAddr::V6(ip) => !ip.is_loopback() && !ip.is_unicast_link_local() && !ip.is_unspecified(),
    }
}

/// The addresses marked `/32 host LOCAL` in `/proc/net/fib_trie`: each
/// follows the `|-- ADDRESS` line it belongs to.
fn local_ipv4_from_fib_trie(trie: &str) -> BTreeSet<IpAddr> {
    let mut found = BTreeSet::new();
    let mut last = None;
    for line in trie.lines().map(str::trim) {
        if let Some(address) = line.strip_prefix("|-- ") {
            last = address.parse::<IpAddr>().ok();
        } else if line.starts_with("/32 host LOCAL") {
            found.extend(last.take());
        }
    }
    found
}

/// The addresses in `/proc/net/if_inet6`: 32 hex digits first on each line.
fn ipv6_from_if_inet6(table: &str) -> BTreeSet<IpAddr> {
    table
        .lines()
        .filter_map(|line| {
            let hex = line.split_whitespace().next()?;
            u128::from_str_radix(hex, 16).ok().filter(|_| hex.len() == 32)
        })
        .map(|bits| IpAddr::V6(bits.into()))
        .collect()
}

/// The address this computer would send from to reach a documentation
/// address: connecting a UDP socket sends nothing, it only picks a route.
fn route_source(v6: bool) -> Option<IpAddr> {
    let (bind, peer): (SocketAddr, SocketAddr) = if v6 {
        (([0u16; 8], 0).into(), ([0x2001, 0xdb8, 0, 0, 0, 0, 0, 1], 9).into())
    } else {
        (([0, 0, 0, 0], 0).into(), ([192, 0, 2, 1], 9).into())
    };
    let socket = UdpSocket::bind(bind).ok()?;
    socket.connect(peer).ok()?;
    Some(socket.local_addr().ok()?.ip())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_local_addresses_from_the_kernel_tables() {
        let trie = "Main:\n  +-- 0.0.0.0/0 3 0 5\n     |-- 0.0.0.0\n        /0 universe UNICAST\n\
                    \x20    +-- 127.0.0.0/8 2 0 2\n           |-- 127.0.0.1\n              /32 host LOCAL\n\
                    \x20    |-- 192.168.1.0\n        /24 link UNICAST\n     |-- 192.168.1.23\n\
                    \x20          /32 host LOCAL\n     |-- 192.168.1.255\n        /32 link BROADCAST\n\
                    Local:\n     |-- 192.168.1.23\n           /32 host LOCAL\n";
        let found: Vec<String> = local_ipv4_from_fib_trie(trie).iter().map(ToString::to_string).collect();
        assert_eq!(found, ["127.0.0.1", "192.168.1.23"]);
        let table = "00000000000000000000000000000001 01 80 10 80       lo\n\
                     fe800000000000000000000000000001 02 40 20 80     eth0\n\
                     20010db8000000000000000000000042 02 40 00 80     eth0\n";
        let found: Vec<IpAddr> = ipv6_from_if_inet6(table).into_iter().filter(|ip| usable(*ip)).collect();
        assert_eq!(found, ["2001:db8::42".parse::<IpAddr>().unwrap()]);
    }
}
