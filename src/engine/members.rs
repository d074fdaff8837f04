//! Commas kept right while members of one container are removed, as the
//! walk goes: the output stays JSON whatever `drop` and `unknown_fields:
//! drop` take out.

use super::pass::{Disposition, Pass};

/// Keeps commas right while members of one container are removed: the
/// first kept member must not be preceded by a comma, later ones must.
pub(super) struct Members {
    /// End of the previous member's value (or just after the opening bracket).
    previous_end: usize,
    first: bool,
    kept: bool,
    /// Members were removed and none kept yet: the next kept member's
    /// leading comma must go.
    pending_comma: bool,
}

impl Members {
    pub(super) fn new(after_open: usize) -> Self {
        Members {
            previous_end: after_open,
            first: true,
            kept: false,
            pending_comma: false,
        }
    }

    /// Before reading a member: optimistically drops the leading comma if
    /// the member ends up first; returns the state to roll back to.
    pub(super) fn begin(&mut self, pass: &mut Pass<'_, '_>, start: usize) -> (usize, usize) {
        let checkpoint = pass.checkpoint();
        if self.pending_comma {
            pass.delete(self.previous_end, start);
        }
        checkpoint
    }

    pub(super) fn end(
        &mut self,
        pass: &mut Pass<'_, '_>,
        start: usize,
        end: usize,
        disposition: Disposition,
        checkpoint: (usize, usize),
    ) {
        match disposition {
            Disposition::Keep => {
                self.pending_comma = false;
                self.kept = true;
            }
            Disposition::Remove => {
                pass.restore(checkpoint);
                if self.first {
                    pass.delete(start, end);
                    self.pending_comma = true;
                } else {
                    pass.delete(self.previous_end, end);
                }
            }
        }
        self.first = false;
        self.previous_end = end;
    }

    /// Under `unknown_fields: drop`, a container with nothing kept goes too.
    pub(super) fn result(&self, drop_unknown: bool) -> Disposition {
        if drop_unknown && !self.kept {
            Disposition::Remove
        } else {
            Disposition::Keep
        }
    }
}
