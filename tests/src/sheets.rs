//! Spreadsheets as a body or an analyst makes them, for the workbook and import tests: a
//! template filled in by another program (read with calamine, written afresh with
//! rust_xlsxwriter, so that nothing of the server's writer is reused), a sheet's XML edited
//! by hand, and zip bombs built bit by bit.

use std::collections::HashMap;
use std::io::{Cursor, Read, Write};

use calamine::{Data, Reader, Xlsx};
use rust_xlsxwriter::{Formula, Workbook};
use serde_json::{Map, Value};

/// The report sheet's name.
pub const REPORT_SHEET: &str = "年度宣传工作报告";

/// What to put in one value cell of the filled-in template.
#[derive(Debug, Clone)]
pub enum Fill {
    /// Text, as typed.
    Text(String),
    /// A number.
    Number(f64),
    /// A formula with its cached value, as Excel saves it.
    Formula(String, String),
}

/// A sheet's cells that hold something, by zero-based (row, column).
pub type Cells = HashMap<(u32, u32), Data>;

/// Every sheet of a workbook as (name, cells), read with calamine.
pub fn read_all(bytes: &[u8]) -> Vec<(String, Cells)> {
    let mut book: Xlsx<_> = Xlsx::new(Cursor::new(bytes.to_vec())).expect("a workbook");
    let names = book.sheet_names();
    names
        .into_iter()
        .map(|name| {
            let range = book.worksheet_range(&name).expect("a sheet");
            let (r0, c0) = range.start().unwrap_or((0, 0));
            let mut cells = HashMap::new();
            for (r, c, v) in range.used_cells() {
                if *v == Data::Empty {
                    continue;
                }
                cells.insert((r0 + r as u32, c0 + c as u32), v.clone());
            }
            (name, cells)
        })
        .collect()
}

/// The row (from 0) of each `字段` key in the template's report sheet.
pub fn template_keys(bytes: &[u8]) -> HashMap<String, u32> {
    let sheets = read_all(bytes);
    let (_, cells) = sheets
        .iter()
        .find(|(n, _)| n == REPORT_SHEET)
        .expect("the report sheet");
    cells
        .iter()
        .filter(|((r, c), _)| *c == 2 && *r > 0)
        .map(|((r, _), v)| (v.to_string(), *r))
        .collect()
}

/// The template filled in as another program would: every cell of every sheet copied into a
/// new workbook, the value column (E) set by key (`press_releases`, `media_channels:website`).
pub fn fill(template: &[u8], values: &[(String, Fill)]) -> Vec<u8> {
    fill_and_edit(template, values, |_| {})
}

/// [`fill`], then `edit` on the report sheet (to move a row, say).
pub fn fill_and_edit(
    template: &[u8],
    values: &[(String, Fill)],
    edit: impl Fn(&mut rust_xlsxwriter::Worksheet),
) -> Vec<u8> {
    let keys = template_keys(template);
    let mut book = Workbook::new();
    for (name, cells) in read_all(template) {
        let sheet = book.add_worksheet();
        sheet.set_name(&name).expect("name");
        for ((r, c), v) in &cells {
            match v {
                Data::Float(f) => sheet.write_number(*r, *c as u16, *f),
                Data::Int(i) => sheet.write_number(*r, *c as u16, *i as f64),
                Data::Empty => continue,
                other => sheet.write_string(*r, *c as u16, other.to_string()),
            }
            .expect("write");
        }
        if name == REPORT_SHEET {
            for (key, fill) in values {
                let r = *keys
                    .get(key)
                    .unwrap_or_else(|| panic!("no row {key} in the template"));
                match fill {
                    Fill::Text(t) => sheet.write_string(r, 4, t),
                    Fill::Number(n) => sheet.write_number(r, 4, *n),
                    Fill::Formula(f, result) => {
                        sheet.write_formula(r, 4, Formula::new(f).set_result(result))
                    }
                }
                .expect("write a value");
            }
            edit(sheet);
        }
    }
    book.save_to_buffer().expect("save")
}

/// The value cells a payload fills: bools as 是/否, numbers as numbers, a set's members as
/// 是 (present) or 否.
pub fn fills_of(template: &[u8], payload: &Map<String, Value>) -> Vec<(String, Fill)> {
    let keys = template_keys(template);
    let yes_no = |b: bool| Fill::Text(if b { "是" } else { "否" }.into());
    let mut fills = Vec::new();
    for key in keys.keys() {
        let (field, member) = match key.split_once(':') {
            Some((f, m)) => (f, Some(m)),
            None => (key.as_str(), None),
        };
        let Some(value) = payload.get(field) else {
            continue;
        };
        let fill = match (value, member) {
            (Value::Array(items), Some(m)) => yes_no(items.iter().any(|i| i == m)),
            (Value::Bool(b), None) => yes_no(*b),
            (Value::Number(n), None) => Fill::Number(n.as_f64().expect("a number")),
            other => panic!("cannot fill {key} with {other:?}"),
        };
        fills.push((key.clone(), fill));
    }
    fills
}

/// The workbook with one entry's text edited (e.g. a formula's cached value taken out).
pub fn edit_entry(bytes: &[u8], entry: &str, edit: impl Fn(String) -> String) -> Vec<u8> {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes.to_vec())).expect("zip");
    let mut out = Cursor::new(Vec::new());
    let mut writer = zip::ZipWriter::new(&mut out);
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for i in 0..archive.len() {
        let mut file = archive.by_index(i).expect("entry");
        let name = file.name().expect("name").to_string();
        let mut data = Vec::new();
        file.read_to_end(&mut data).expect("read");
        if name == entry {
            data = edit(String::from_utf8(data).expect("xml")).into_bytes();
        }
        writer.start_file(name, options).expect("start");
        writer.write_all(&data).expect("write");
    }
    writer.finish().expect("finish");
    out.into_inner()
}

/// Writes bits least significant first, as deflate packs them.
struct Bits {
    out: Vec<u8>,
    acc: u64,
    n: u32,
}

impl Bits {
    fn new() -> Bits {
        Bits {
            out: Vec::new(),
            acc: 0,
            n: 0,
        }
    }

    fn put(&mut self, value: u32, count: u32) {
        self.acc |= u64::from(value) << self.n;
        self.n += count;
        while self.n >= 8 {
            self.out.push(self.acc as u8);
            self.acc >>= 8;
            self.n -= 8;
        }
    }

    /// A Huffman code, which deflate writes most significant bit first.
    fn code(&mut self, code: u32, len: u32) {
        let reversed = code.reverse_bits() >> (32 - len);
        self.put(reversed, len);
    }

    fn finish(mut self) -> Vec<u8> {
        if self.n > 0 {
            self.out.push(self.acc as u8);
        }
        self.out
    }
}

/// A deflate stream of `1 + 258 × repeats` bytes `0`: one literal, then back-references of
/// 258 bytes at distance 1, 13 bits each (fixed Huffman codes) — a ratio of about 160:1.
pub fn deflated_zeros(repeats: usize) -> Vec<u8> {
    let mut bits = Bits::new();
    bits.put(1, 1); // BFINAL
    bits.put(1, 2); // BTYPE = 01, fixed codes
    bits.code(0x30 + u32::from(b'0'), 8); // literal '0'
    for _ in 0..repeats {
        bits.code(0b1100_0101, 8); // length 258 (symbol 285)
        bits.code(0, 5); // distance 1
    }
    bits.code(0, 7); // end of block (symbol 256)
    bits.finish()
}

/// An XLSX whose `xl/worksheets/sheet1.xml` expands to `1 + 258 × repeats` bytes, the rest of
/// its entries those of `base`. The archive is written by hand so that the bomb's compressed
/// bytes go in as they are; `declared` is the size its headers state (the truth, or a lie).
pub fn zip_bomb(base: &[u8], repeats: usize, declared: u64) -> Vec<u8> {
    let mut archive = zip::ZipArchive::new(Cursor::new(base.to_vec())).expect("zip");
    let mut entries: Vec<(String, u16, Vec<u8>, u32, u64)> = Vec::new();
    for i in 0..archive.len() {
        let mut file = archive.by_index(i).expect("entry");
        let name = file.name().expect("name").to_string();
        if name == "xl/worksheets/sheet1.xml" {
            continue;
        }
        let mut data = Vec::new();
        file.read_to_end(&mut data).expect("read");
        let crc = crc32fast::hash(&data);
        let size = data.len() as u64;
        entries.push((name, 0, data, crc, size)); // stored
    }
    entries.push((
        "xl/worksheets/sheet1.xml".into(),
        8, // deflated
        deflated_zeros(repeats),
        0,
        declared,
    ));
    let mut out: Vec<u8> = Vec::new();
    let mut central: Vec<u8> = Vec::new();
    let size32 = |n: u64| u32::try_from(n).unwrap_or(u32::MAX);
    for (name, method, data, crc, size) in &entries {
        let offset = out.len() as u32;
        let header = |sig: u32, central: bool| {
            let mut h = Vec::new();
            h.extend_from_slice(&sig.to_le_bytes());
            if central {
                h.extend_from_slice(&20u16.to_le_bytes()); // made by
            }
            h.extend_from_slice(&20u16.to_le_bytes()); // needed
            h.extend_from_slice(&0u16.to_le_bytes()); // flags
            h.extend_from_slice(&method.to_le_bytes());
            h.extend_from_slice(&0u32.to_le_bytes()); // time, date
            h.extend_from_slice(&crc.to_le_bytes());
            h.extend_from_slice(&(data.len() as u32).to_le_bytes());
            h.extend_from_slice(&size32(*size).to_le_bytes());
            h.extend_from_slice(&(name.len() as u16).to_le_bytes());
            h.extend_from_slice(&0u16.to_le_bytes()); // extra
            if central {
                h.extend_from_slice(&0u16.to_le_bytes()); // comment
                h.extend_from_slice(&0u16.to_le_bytes()); // disk
                h.extend_from_slice(&0u16.to_le_bytes()); // internal attributes
                h.extend_from_slice(&0u32.to_le_bytes()); // external attributes
                h.extend_from_slice(&offset.to_le_bytes());
            }
            h.extend_from_slice(name.as_bytes());
            h
        };
        out.extend(header(0x0403_4b50, false));
        out.extend_from_slice(data);
        central.extend(header(0x0201_4b50, true));
    }
    let central_offset = out.len() as u32;
    out.extend_from_slice(&central);
    out.extend_from_slice(&0x0605_4b50u32.to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes());
    out.extend_from_slice(&(entries.len() as u16).to_le_bytes());
    out.extend_from_slice(&(entries.len() as u16).to_le_bytes());
    out.extend_from_slice(&(central.len() as u32).to_le_bytes());
    out.extend_from_slice(&central_offset.to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_hand_made_bomb_inflates_to_what_it_declares() {
        let mut base = Cursor::new(Vec::new());
        {
            let mut w = zip::ZipWriter::new(&mut base);
            w.start_file("a", zip::write::SimpleFileOptions::default())
                .expect("start");
            w.finish().expect("finish");
        }
        let size = 1 + 258 * 1000;
        let bomb = zip_bomb(&base.into_inner(), 1000, size);
        let mut archive = zip::ZipArchive::new(Cursor::new(bomb)).expect("zip");
        let mut entry = archive
            .by_name("xl/worksheets/sheet1.xml")
            .expect("the entry");
        let mut inflated = Vec::new();
        // The CRC is left 0: what inflates is read, whatever the check says at its end.
        let _ = entry.read_to_end(&mut inflated);
        assert_eq!(inflated.len() as u64, size);
        assert!(inflated.iter().all(|b| *b == b'0'));
    }
}
