//! A small QR code encoder (ISO/IEC 18004) for the survey links printed on paper: byte mode,
//! error correction level M (about 15 % of the symbol may be smudged), versions 1–10 (up to
//! 213 bytes, far more than a link needs), the mask with the lowest penalty. Output is an SVG
//! that prints sharp at any size. Written here because one page needs it and the stack adds
//! no crate for it.
use std::fmt::Write;

/// Level M blocks per version 1–10: (EC codewords per block, blocks of the short group,
/// data codewords in a short block, blocks of the long group); a long block holds one data
/// codeword more.
const BLOCKS_M: [(usize, usize, usize, usize); 10] = [
    (10, 1, 16, 0),
    (16, 1, 28, 0),
    (26, 1, 44, 0),
    (18, 2, 32, 0),
    (24, 2, 43, 0),
    (16, 4, 27, 0),
    (18, 4, 31, 0),
    (22, 2, 38, 2),
    (22, 3, 36, 2),
    (26, 4, 43, 1),
];

/// Centres of the alignment patterns per version 1–10.
const ALIGN: [&[usize]; 10] = [
    &[],
    &[6, 18],
    &[6, 22],
    &[6, 26],
    &[6, 30],
    &[6, 34],
    &[6, 22, 38],
    &[6, 24, 42],
    &[6, 26, 46],
    &[6, 28, 50],
];

/// A QR symbol: `size` × `size` modules, `true` dark.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct QrCode {
    pub(crate) version: usize,
    pub(crate) mask: u8,
    pub(crate) size: usize,
    modules: Vec<bool>,
    function: Vec<bool>,
}

impl QrCode {
    /// The smallest symbol holding `data` as bytes; `None` past version 10's 213 bytes.
    pub(crate) fn encode(data: &[u8]) -> Option<QrCode> {
        let version = (1..=10).find(|&v| capacity_bits(v) >= header_bits(v) + 8 * data.len())?;
        let codewords = add_ecc(version, &data_codewords(version, data));
        let mut best: Option<(u32, QrCode)> = None;
        for mask in 0..8 {
            let mut q = QrCode::blank(version);
            q.draw_codewords(&codewords);
            q.apply_mask(mask);
            q.draw_format(mask);
            let p = q.penalty();
            if best.as_ref().is_none_or(|(b, _)| p < *b) {
                best = Some((p, q));
            }
        }
        best.map(|(_, q)| q)
    }

    pub(crate) fn dark(&self, x: usize, y: usize) -> bool {
        self.modules[y * self.size + x]
    }

    /// The symbol as SVG with the 4-module quiet zone the standard asks for; `title` names it
    /// for screen readers.
    pub(crate) fn svg(&self, title: &str) -> String {
        let n = self.size + 8;
        let mut path = String::new();
        for y in 0..self.size {
            for x in 0..self.size {
                if self.dark(x, y) {
                    let _ = write!(path, "M{},{}h1v1h-1z", x + 4, y + 4);
                }
            }
        }
        let title = title
            .replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;");
        // Version and mask are written out for whoever debugs a code that does not scan.
        format!(
            "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {n} {n}\" \
             shape-rendering=\"crispEdges\" role=\"img\" data-qr=\"{}-M mask {}\">\
             <title>{title}</title>\
             <rect width=\"{n}\" height=\"{n}\" fill=\"#fff\"/>\
             <path d=\"{path}\" fill=\"#000\"/></svg>",
            self.version, self.mask
        )
    }

    fn blank(version: usize) -> QrCode {
        let size = 17 + 4 * version;
        let mut q = QrCode {
            version,
            mask: 0,
            size,
            modules: vec![false; size * size],
            function: vec![false; size * size],
        };
        for i in 0..size {
            q.set_function(6, i, i % 2 == 0);
            q.set_function(i, 6, i % 2 == 0);
        }
        for (x, y) in [(3, 3), (size - 4, 3), (3, size - 4)] {
            q.draw_finder(x, y);
        }
        let align = ALIGN[version - 1];
        let last = align.len().saturating_sub(1);
        for (i, &ay) in align.iter().enumerate() {
            for (j, &ax) in align.iter().enumerate() {
                // The three corners hold finder patterns.
                if (i == 0 && (j == 0 || j == last)) || (i == last && j == 0) {
                    continue;
                }
                for dy in -2i32..=2 {
                    for dx in -2i32..=2 {
                        let x = offset(ax, dx);
                        let y = offset(ay, dy);
                        q.set_function(x, y, dx.abs().max(dy.abs()) != 1);
                    }
                }
            }
        }
        // Reserve the format areas (written after masking) and write the version.
        q.draw_format(0);
        if version >= 7 {
            let mut rem = version as u32;
            for _ in 0..12 {
                rem = (rem << 1) ^ ((rem >> 11) * 0x1F25);
            }
            let bits = ((version as u32) << 12) | rem;
            for i in 0..18 {
                let dark = (bits >> i) & 1 == 1;
                let a = size - 11 + i % 3;
                let b = i / 3;
                q.set_function(a, b, dark);
                q.set_function(b, a, dark);
            }
        }
        q
    }

    fn set_function(&mut self, x: usize, y: usize, dark: bool) {
        let i = y * self.size + x;
        self.modules[i] = dark;
        self.function[i] = true;
    }

    fn draw_finder(&mut self, cx: usize, cy: usize) {
        for dy in -4i32..=4 {
            for dx in -4i32..=4 {
                let (x, y) = (cx as i32 + dx, cy as i32 + dy);
                if (0..self.size as i32).contains(&x) && (0..self.size as i32).contains(&y) {
                    let d = dx.abs().max(dy.abs());
                    self.set_function(x as usize, y as usize, d != 2 && d != 4);
                }
            }
        }
    }

    /// Level M's format bits are 00; the mask follows, then a BCH(15,5) code, XOR 0x5412.
    fn draw_format(&mut self, mask: u8) {
        self.mask = mask;
        let data = u32::from(mask);
        let mut rem = data;
        for _ in 0..10 {
            rem = (rem << 1) ^ ((rem >> 9) * 0x537);
        }
        let bits = ((data << 10) | rem) ^ 0x5412;
        let bit = |i: usize| (bits >> i) & 1 == 1;
        let s = self.size;
        for i in 0..6 {
            self.set_function(8, i, bit(i));
        }
        self.set_function(8, 7, bit(6));
        self.set_function(8, 8, bit(7));
        self.set_function(7, 8, bit(8));
        for i in 9..15 {
            self.set_function(14 - i, 8, bit(i));
        }
        for i in 0..8 {
            self.set_function(s - 1 - i, 8, bit(i));
        }
        for i in 8..15 {
            self.set_function(8, s - 15 + i, bit(i));
        }
        self.set_function(8, s - 8, true);
    }

    /// Places the codewords in the two-column zigzag from the bottom right, skipping the
    /// function modules; leftover remainder bits stay light.
    fn draw_codewords(&mut self, data: &[u8]) {
        let s = self.size;
        let total = data.len() * 8;
        let mut i = 0;
        let mut right = s - 1;
        loop {
            if right == 6 {
                right = 5;
            }
            for vert in 0..s {
                for j in 0..2 {
                    let x = right - j;
                    let upward = (right + 1) & 2 == 0;
                    let y = if upward { s - 1 - vert } else { vert };
                    if !self.function[y * s + x] && i < total {
                        self.modules[y * s + x] = (data[i >> 3] >> (7 - (i & 7))) & 1 == 1;
                        i += 1;
                    }
                }
            }
            if right < 2 {
                break;
            }
            right -= 2;
        }
    }

    fn apply_mask(&mut self, mask: u8) {
        let s = self.size;
        for y in 0..s {
            for x in 0..s {
                let flip = match mask {
                    0 => (x + y) % 2 == 0,
                    1 => y % 2 == 0,
                    2 => x % 3 == 0,
                    3 => (x + y) % 3 == 0,
                    4 => (x / 3 + y / 2) % 2 == 0,
                    5 => x * y % 2 + x * y % 3 == 0,
                    6 => (x * y % 2 + x * y % 3) % 2 == 0,
                    _ => ((x + y) % 2 + x * y % 3) % 2 == 0,
                };
                if flip && !self.function[y * s + x] {
                    self.modules[y * s + x] ^= true;
                }
            }
        }
    }

    /// The standard's four penalty rules: runs of five or more, 2×2 blocks, finder-like
    /// patterns, and imbalance of dark and light.
    fn penalty(&self) -> u32 {
        let s = self.size;
        let mut p = 0;
        let line = |k: usize, horizontal: bool| -> Vec<bool> {
            (0..s)
                .map(|i| {
                    if horizontal {
                        self.dark(i, k)
                    } else {
                        self.dark(k, i)
                    }
                })
                .collect()
        };
        const FINDER: [bool; 11] = [
            true, false, true, true, true, false, true, false, false, false, false,
        ];
        for k in 0..s {
            for horizontal in [true, false] {
                let l = line(k, horizontal);
                let mut run = 1;
                for i in 1..=s {
                    if i < s && l[i] == l[i - 1] {
                        run += 1;
                    } else {
                        if run >= 5 {
                            p += 3 + (run - 5) as u32;
                        }
                        run = 1;
                    }
                }
                // 1011101 with four light modules on either side (outside the symbol is light).
                let at = |i: i32| i >= 0 && (i as usize) < s && l[i as usize];
                for start in -4i32..s as i32 {
                    let fwd = (0..11).all(|j| at(start + j) == FINDER[j as usize]);
                    let back = (0..11).all(|j| at(start + j) == FINDER[10 - j as usize]);
                    if fwd || back {
                        p += 40;
                    }
                }
            }
        }
        for y in 0..s - 1 {
            for x in 0..s - 1 {
                let c = self.dark(x, y);
                if c == self.dark(x + 1, y)
                    && c == self.dark(x, y + 1)
                    && c == self.dark(x + 1, y + 1)
                {
                    p += 3;
                }
            }
        }
        let dark = self.modules.iter().filter(|&&d| d).count();
        let total = s * s;
        // k: how many 5 % steps the dark share is away from 50 %.
        let k = (dark * 20)
            .abs_diff(total * 10)
            .div_ceil(total)
            .saturating_sub(1);
        p + 10 * k as u32
    }
}

fn offset(base: usize, d: i32) -> usize {
    (base as i32 + d) as usize
}

/// Mode (4 bits) and character count (8 bits up to version 9, 16 from 10).
fn header_bits(version: usize) -> usize {
    4 + if version < 10 { 8 } else { 16 }
}

fn capacity_bits(version: usize) -> usize {
    let (_, short, data, long) = BLOCKS_M[version - 1];
    8 * (short * data + long * (data + 1))
}

/// Byte mode header, the data, terminator and padding to the version's data capacity.
fn data_codewords(version: usize, data: &[u8]) -> Vec<u8> {
    let cap = capacity_bits(version);
    let mut bits: Vec<bool> = Vec::with_capacity(cap);
    let push = |v: u32, n: usize, bits: &mut Vec<bool>| {
        for i in (0..n).rev() {
            bits.push((v >> i) & 1 == 1);
        }
    };
    push(0b0100, 4, &mut bits);
    push(data.len() as u32, header_bits(version) - 4, &mut bits);
    for &b in data {
        push(u32::from(b), 8, &mut bits);
    }
    let term = (cap - bits.len()).min(4);
    push(0, term, &mut bits);
    let pad = (8 - bits.len() % 8) % 8;
    push(0, pad, &mut bits);
    let mut out: Vec<u8> = bits
        .chunks(8)
        .map(|c| c.iter().fold(0u8, |a, &b| (a << 1) | u8::from(b)))
        .collect();
    for pad in [0xEC, 0x11].into_iter().cycle() {
        if out.len() * 8 >= cap {
            break;
        }
        out.push(pad);
    }
    out
}

/// Splits the data into blocks, appends each block's Reed–Solomon codewords and interleaves.
fn add_ecc(version: usize, data: &[u8]) -> Vec<u8> {
    let (ec, short, len, long) = BLOCKS_M[version - 1];
    let divisor = rs_divisor(ec);
    let mut blocks: Vec<(&[u8], Vec<u8>)> = Vec::new();
    let mut at = 0;
    for b in 0..short + long {
        let n = if b < short { len } else { len + 1 };
        let block = &data[at..at + n];
        at += n;
        blocks.push((block, rs_remainder(block, &divisor)));
    }
    let mut out = Vec::new();
    for i in 0..=len {
        for (d, _) in &blocks {
            if let Some(&c) = d.get(i) {
                out.push(c);
            }
        }
    }
    for i in 0..ec {
        for (_, e) in &blocks {
            out.push(e[i]);
        }
    }
    out
}

/// Multiplication in GF(2⁸) modulo x⁸ + x⁴ + x³ + x² + 1.
fn gf_mul(x: u8, y: u8) -> u8 {
    let mut z: u32 = 0;
    for i in (0..8).rev() {
        z = (z << 1) ^ ((z >> 7) * 0x11D);
        z ^= u32::from((y >> i) & 1) * u32::from(x);
    }
    z as u8
}

/// The generator polynomial ∏(x − αⁱ), i < degree, without its leading 1.
fn rs_divisor(degree: usize) -> Vec<u8> {
    let mut result = vec![0u8; degree];
    result[degree - 1] = 1;
    let mut root = 1u8;
    for _ in 0..degree {
        for j in 0..degree {
            result[j] = gf_mul(result[j], root);
            if j + 1 < degree {
                result[j] ^= result[j + 1];
            }
        }
        root = gf_mul(root, 0x02);
    }
    result
}

fn rs_remainder(data: &[u8], divisor: &[u8]) -> Vec<u8> {
    let mut result = vec![0u8; divisor.len()];
    for &b in data {
        let factor = b ^ result.remove(0);
        result.push(0);
        for (r, &d) in result.iter_mut().zip(divisor) {
            *r ^= gf_mul(d, factor);
        }
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Reads the 15 format bits back from the first copy and decodes them by nearest
    /// codeword, as a scanner does.
    fn read_format(q: &QrCode) -> (u8, u8) {
        let mut bits = 0u32;
        let mut take = |x: usize, y: usize, i: usize| {
            if q.dark(x, y) {
                bits |= 1 << i;
            }
        };
        for i in 0..6 {
            take(8, i, i);
        }
        take(8, 7, 6);
        take(8, 8, 7);
        take(7, 8, 8);
        for i in 9..15 {
            take(14 - i, 8, i);
        }
        let raw = bits ^ 0x5412;
        (((raw >> 13) & 3) as u8, ((raw >> 10) & 7) as u8)
    }

    /// Reads the codewords back in the zigzag order, undoing the mask.
    fn read_codewords(q: &QrCode) -> Vec<u8> {
        let blank = QrCode::blank(q.version);
        let mut m = QrCode::blank(q.version);
        m.apply_mask(q.mask);
        let s = q.size;
        let mut bits = Vec::new();
        let mut right = s - 1;
        loop {
            if right == 6 {
                right = 5;
            }
            for vert in 0..s {
                for j in 0..2 {
                    let x = right - j;
                    let y = if (right + 1) & 2 == 0 {
                        s - 1 - vert
                    } else {
                        vert
                    };
                    if !blank.function[y * s + x] {
                        // The mask flips a data module exactly where it darkens a blank one.
                        bits.push(q.dark(x, y) ^ m.dark(x, y));
                    }
                }
            }
            if right < 2 {
                break;
            }
            right -= 2;
        }
        bits.chunks_exact(8)
            .map(|c| c.iter().fold(0u8, |a, &b| (a << 1) | u8::from(b)))
            .collect()
    }

    /// The syndrome of a block: zero at every αⁱ when data and EC codewords agree.
    fn syndromes_vanish(block: &[u8], ec: usize) -> bool {
        let mut alpha = 1u8;
        for _ in 0..ec {
            let mut acc = 0u8;
            for &c in block {
                acc = gf_mul(acc, alpha) ^ c;
            }
            if acc != 0 {
                return false;
            }
            alpha = gf_mul(alpha, 2);
        }
        true
    }

    #[test]
    fn a_link_reads_back_through_format_codewords_and_error_correction() {
        let url = b"http://wuyu.local:8080/s/l/K7QM2XPA9RTB";
        let q = QrCode::encode(url).unwrap();
        assert_eq!(q.version, 3, "39 bytes fit version 3-M");
        assert_eq!(q.size, 29);
        assert_eq!(read_format(&q), (0, q.mask), "level M and the chosen mask");

        let cw = read_codewords(&q);
        assert_eq!(cw.len(), 70);
        let (ec, _, len, _) = BLOCKS_M[2];
        let block: Vec<u8> = cw.clone();
        assert!(syndromes_vanish(&block, ec));
        // Byte mode, the count, then the text itself.
        assert_eq!(cw[0] >> 4, 0b0100);
        let count = ((cw[0] & 0xF) << 4) | (cw[1] >> 4);
        assert_eq!(usize::from(count), url.len());
        let text: Vec<u8> = (0..url.len())
            .map(|i| (cw[1 + i] << 4) | (cw[2 + i] >> 4))
            .collect();
        assert_eq!(text, url);
        assert_eq!(
            cw[len - 1],
            if (len - url.len() - 3).is_multiple_of(2) {
                0xEC
            } else {
                0x11
            }
        );
    }

    #[test]
    fn every_version_interleaves_blocks_whose_codes_check() {
        for v in 1..=10 {
            let n = capacity_bits(v) / 8 - header_bits(v).div_ceil(8);
            let data: Vec<u8> = (0..n).map(|i| (i * 37 % 251) as u8).collect();
            let q = QrCode::encode(&data).unwrap();
            assert_eq!(q.version, v, "{n} bytes");
            let cw = read_codewords(&q);
            let (ec, short, len, long) = BLOCKS_M[v - 1];
            let blocks = short + long;
            assert_eq!(cw.len(), blocks * (len + ec) + long, "v{v}");
            // De-interleave: data column by column, the long blocks' extra byte last, then EC.
            let mut per: Vec<Vec<u8>> = vec![Vec::new(); blocks];
            let mut it = cw.iter();
            for i in 0..=len {
                for (b, block) in per.iter_mut().enumerate() {
                    if i < len || b >= short {
                        block.push(*it.next().unwrap());
                    }
                }
            }
            for _ in 0..ec {
                for block in per.iter_mut() {
                    block.push(*it.next().unwrap());
                }
            }
            for (b, block) in per.iter().enumerate() {
                assert!(syndromes_vanish(block, ec), "v{v} block {b}");
            }
            assert_eq!(read_format(&q), (0, q.mask));
        }
        assert_eq!(QrCode::encode(&[b'x'; 300]), None);
    }

    #[test]
    fn finder_patterns_sit_in_three_corners_with_a_quiet_zone_in_the_svg() {
        let q = QrCode::encode(b"https://example.org/s/l/ABC").unwrap();
        let s = q.size;
        for (x0, y0) in [(0, 0), (s - 7, 0), (0, s - 7)] {
            for i in 0..7 {
                assert!(q.dark(x0 + i, y0) && q.dark(x0, y0 + i), "outer ring");
            }
            assert!(q.dark(x0 + 3, y0 + 3) && !q.dark(x0 + 1, y0 + 1));
        }
        assert!(q.dark(8, s - 8), "the dark module");
        let svg = q.svg("问卷 <链接>");
        let n = s + 8;
        assert!(svg.starts_with("<svg"));
        assert!(svg.contains(&format!("viewBox=\"0 0 {n} {n}\"")));
        assert!(svg.contains("<title>问卷 &lt;链接&gt;</title>"));
        let dark = (0..s)
            .flat_map(|y| (0..s).map(move |x| (x, y)))
            .filter(|&(x, y)| q.dark(x, y))
            .count();
        assert_eq!(svg.matches("h1v1h-1z").count(), dark);
        assert!(
            svg.contains("M4,4h1v1h-1z"),
            "modules start after 4 quiet ones"
        );
    }
}
