"""Change-theory checklists (forandringsteori): every application checked against the theory of change."""
