"""The corpus the engines are developed and measured on: born-digital and scanned renderings of
Documents (render, scan) and synthetic, internally consistent Documents (synth)."""
