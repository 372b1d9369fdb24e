"""The appendix (Phụ lục): its versions, the normalisation of values and their validation.

The building blocks (`spec`), the shipped 2026.1 (`v2026_1`) and the build of a version from its
definition (`definition`) are pure Python; versions an administrator defines are stored in
`models.AppendixVersion`. Start with `rasoat.appendix.declaration.get_appendix(version)`.
"""
