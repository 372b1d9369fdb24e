"""The appendix editor: administrators list, copy, edit, upload and download appendix versions."""
