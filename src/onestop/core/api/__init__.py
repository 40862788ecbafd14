"""What every endpoint of the partner API shares: bounded integers, a JSON parser that
refuses bodies too large or too deep, strict paging, and the error answers in the schema."""
