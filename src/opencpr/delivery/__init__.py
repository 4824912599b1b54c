"""Delivering data to subscriber systems: the nightly extraction, the store of deliveries, the
SFTP server they are fetched from, retention of unfetched deliveries and their monitoring."""
