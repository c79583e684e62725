"""One media filter per module; `media.registry` imports every module here."""
