"""The appendix (Phụ lục): its one declaration, the normalisation of values and their validation.

Pure Python; no models. Start with `rasoat.appendix.declaration.get_appendix(version)`.
"""
