//! Columns that line up in a terminal whatever the script: widths are
//! counted in display columns (`unicode-width`), so a key such as `手机号`
//! (three characters, six columns) pushes the next column as far as six
//! ASCII letters would. `format!("{:<40}")` counts characters and leaves
//! CJK rows ragged.

use unicode_width::UnicodeWidthStr;

/// Rows of cells, printed with every column as wide as its widest cell.
#[derive(Default)]
pub(super) struct Table {
    rows: Vec<Vec<String>>,
}

impl Table {
    pub(super) fn row<I, S>(&mut self, cells: I)
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.rows.push(cells.into_iter().map(Into::into).collect());
    }

    /// The rows, one per line (each ending in `\n`), columns two spaces
    /// apart; the last cell of a row is not padded.
    pub(super) fn render(&self) -> String {
        let mut widths: Vec<usize> = Vec::new();
        for row in &self.rows {
            for (i, cell) in row.iter().enumerate() {
                let width = cell.width();
                match widths.get_mut(i) {
                    Some(w) => *w = (*w).max(width),
                    None => widths.push(width),
                }
            }
        }
        let mut out = String::new();
        for row in &self.rows {
            for (i, cell) in row.iter().enumerate() {
                out.push_str(cell);
                if i + 1 < row.len() {
                    let pad = widths[i] - cell.width() + 2;
                    out.extend(std::iter::repeat_n(' ', pad));
                }
            }
            out.push('\n');
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chinese_keys_line_up_by_display_width() {
        let mut table = Table::default();
        table.row(["path", "category", "action"]);
        table.row(["$.user['手机号']", "phone", "mask"]);
        table.row(["$.user.mobile", "phone", "hash"]);
        let text = table.render();
        // The display column where the last cell starts, on every line.
        let starts: Vec<usize> = text
            .lines()
            .map(|line| {
                let last = line.rfind(' ').expect("three cells") + 1;
                line[..last].width()
            })
            .collect();
        assert_eq!(starts, vec![starts[0]; 3], "{text}");
        assert!(text.ends_with("hash\n"), "the last cell is not padded");
    }
}
