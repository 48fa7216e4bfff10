"""The eight roles of issue 9's permission matrix, shared by the matrix and the
confidential-absence tests: anonymous; member of another organisation; member;
organisation referent; reviewer of a signatory seated on the request; recused
reviewer; secretariat; administrator."""

ROLES = (
    "anonymous",
    "other",
    "member",
    "referent",
    "reviewer",
    "recused",
    "secretariat",
    "admin",
)
