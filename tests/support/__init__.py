"""What tests share (and bench/ may import): never the other way round."""
