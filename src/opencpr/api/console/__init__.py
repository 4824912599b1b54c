"""The caseworker console: server-rendered pages (templates and static assets served by the
server itself) over the same gate as every other door."""
