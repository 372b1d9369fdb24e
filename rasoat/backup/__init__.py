"""Backup and restore of a whole installation: the database, the stored files and a manifest.

One archive (tar, gzip-compressed when its name ends in .tar.gz or .tgz) holds:

    database/rasoat.sqlite3 or database/rasoat.pgdump   the database at one instant
    media/...                                           every file under MEDIA_ROOT
    manifest.json                                       what the archive holds and how to check it

The manifest records the format version, when and by which versions the backup was made, the
database vendor, the migrations applied and the rows of every table at the instant of the dump,
and the size and SHA-256 of every other member. Restoring checks the archive against it before
touching anything, and the restored installation against it afterwards.
"""
