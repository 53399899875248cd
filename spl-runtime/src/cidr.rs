//! IPv4 and IPv6 subnets: `10.0.0.0/8`, `FE80::/10`, `::1`.
//!
//! Used by search comparisons (`src_ip=10.0.0.0/8`, `src_ip IN (10.0.0.0/8, ...)`; see
//! `docs/semantics.md`, "Search command") and by eval `cidrmatch`. A value that is not an IP address never
//! matches. An IPv4 address written as an IPv4-mapped IPv6 address (`::ffff:10.1.2.3`)
//! counts as the IPv4 address. Surrounding ASCII whitespace in a value is ignored.

use std::net::IpAddr;
use std::str::FromStr;

/// A subnet: a network address and a prefix length. Built once, tested per event.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Cidr {
    /// The network bits (host bits zeroed), IPv4 in the low 32 bits.
    network: u128,
    prefix: u8,
    v6: bool,
}

impl Cidr {
    /// Parse `a.b.c.d/n`, `x:y::z/n`, or a bare address (a one-address subnet).
    /// Host bits in the address are ignored (`10.1.2.3/8` is `10.0.0.0/8`). Returns
    /// `None` for anything else, including a prefix longer than the address.
    pub fn parse(text: &str) -> Option<Cidr> {
        let text = text.trim_ascii();
        let (addr, prefix) = match text.split_once('/') {
            Some((a, p)) => {
                if p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit()) || p.len() > 3 {
                    return None;
                }
                (a, Some(p.parse::<u8>().ok()?))
            }
            None => (text, None),
        };
        let addr = IpAddr::from_str(addr).ok()?.to_canonical();
        let (bits, width, v6) = match addr {
            IpAddr::V4(a) => (u128::from(u32::from(a)), 32u8, false),
            IpAddr::V6(a) => (u128::from(a), 128u8, true),
        };
        let prefix = prefix.unwrap_or(width);
        if prefix > width {
            return None;
        }
        Some(Cidr {
            network: bits & mask(prefix, width),
            prefix,
            v6,
        })
    }

    /// Whether `ip` (text) is an address inside this subnet.
    pub fn contains(&self, ip: &str) -> bool {
        match IpAddr::from_str(ip.trim_ascii()) {
            Ok(a) => self.contains_addr(a),
            Err(_) => false,
        }
    }

    /// Whether `addr` is inside this subnet.
    pub fn contains_addr(&self, addr: IpAddr) -> bool {
        let (bits, width, v6) = match addr.to_canonical() {
            IpAddr::V4(a) => (u128::from(u32::from(a)), 32u8, false),
            IpAddr::V6(a) => (u128::from(a), 128u8, true),
        };
        v6 == self.v6 && bits & mask(self.prefix, width) == self.network
    }

    /// The prefix length.
    pub fn prefix(&self) -> u8 {
        self.prefix
    }

    /// True for an IPv6 subnet.
    pub fn is_v6(&self) -> bool {
        self.v6
    }
}

/// The netmask of `prefix` bits in an address of `width` bits (low bits of a u128).
fn mask(prefix: u8, width: u8) -> u128 {
    if prefix == 0 {
        return 0;
    }
    let all: u128 = if width >= 128 {
        u128::MAX
    } else {
        (1u128 << width) - 1
    };
    let host_bits = u32::from(width.saturating_sub(prefix));
    all & u128::MAX.checked_shl(host_bits).unwrap_or(0)
}

/// Whether the text looks like a subnet in CIDR notation (has a `/` and parses).
pub fn is_cidr(text: &str) -> bool {
    text.contains('/') && Cidr::parse(text).is_some()
}

/// eval `cidrmatch(cidr, ip)`: true when `ip` is inside `cidr`; false when either is not
/// an address or subnet.
pub fn cidrmatch(cidr: &str, ip: &str) -> bool {
    Cidr::parse(cidr).is_some_and(|c| c.contains(ip))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks() {
        assert_eq!(mask(0, 32), 0);
        assert_eq!(mask(8, 32), 0xff00_0000);
        assert_eq!(mask(32, 32), 0xffff_ffff);
        assert_eq!(mask(128, 128), u128::MAX);
        assert_eq!(mask(10, 128), 0xffc0u128 << 112);
    }
}
