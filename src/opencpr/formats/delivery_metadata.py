"""Serviceplatformen's SFTP "simple transfer" metadata file (``<data file>.metadata``), as the
SF6002 deliveries carry it (``cpr-protocols.md`` §5.3).

The root is ``ns2:Trigger`` in ``http://serviceplatformen.dk/xml/wsdl/soap11/SFTP/1/types`` with
unqualified children, as the clients read it literally (``["ns2:Trigger"]["FileTransferUUID"]``,
``["FileDescriptor"]["Sender"]``, ``["Recipients"]``)::

    <ns2:Trigger xmlns:ns2="…/SFTP/1/types">
      <FileTransferUUID>…</FileTransferUUID>
      <FileDescriptor>
        <FileName>D261203.L000001</FileName><SizeInBytes>1234</SizeInBytes>
        <Sender>…</Sender><SendersFileId>…</SendersFileId><Recipients>…</Recipients>
      </FileDescriptor>
      <FileContentDescriptor><SFTPDynamicRoutingInfo>…</SFTPDynamicRoutingInfo></FileContentDescriptor>
    </ns2:Trigger>
"""

from __future__ import annotations

from dataclasses import dataclass

from lxml import etree

__all__ = ["SFTP_TYPES_NS", "Trigger", "read_trigger", "trigger"]

SFTP_TYPES_NS = "http://serviceplatformen.dk/xml/wsdl/soap11/SFTP/1/types"


@dataclass(frozen=True, slots=True)
class Trigger:
    file_transfer_uuid: str
    file_name: str
    size: int
    sender: str
    senders_file_id: str
    recipients: tuple[str, ...]
    sender_timestamp: str  # xsd:dateTime
    recipient_it_system: str
    recipient_authority: str


def trigger(t: Trigger) -> bytes:
    """The metadata file's bytes (UTF-8, with declaration)."""
    root = etree.Element(f"{{{SFTP_TYPES_NS}}}Trigger", nsmap={"ns2": SFTP_TYPES_NS})
    etree.SubElement(root, "FileTransferUUID").text = t.file_transfer_uuid
    fd = etree.SubElement(root, "FileDescriptor")
    etree.SubElement(fd, "FileName").text = t.file_name
    etree.SubElement(fd, "SizeInBytes").text = str(t.size)
    etree.SubElement(fd, "Sender").text = t.sender
    etree.SubElement(fd, "SendersFileId").text = t.senders_file_id
    for recipient in t.recipients:
        etree.SubElement(fd, "Recipients").text = recipient
    routing = etree.SubElement(etree.SubElement(root, "FileContentDescriptor"), "SFTPDynamicRoutingInfo")
    etree.SubElement(routing, "SenderTimestamp").text = t.sender_timestamp
    etree.SubElement(routing, "RecipientIt-system").text = t.recipient_it_system
    etree.SubElement(routing, "RecipientAuthority").text = t.recipient_authority
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def read_trigger(data: bytes) -> Trigger:
    """Read a metadata file written by :func:`trigger` (for tests and tools)."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    root = etree.fromstring(data, parser)
    if root.tag != f"{{{SFTP_TYPES_NS}}}Trigger":
        raise ValueError(f"not a Trigger: {root.tag}")
    fd = root.find("FileDescriptor")
    routing = root.find("FileContentDescriptor/SFTPDynamicRoutingInfo")
    return Trigger(root.findtext("FileTransferUUID") or "", fd.findtext("FileName") or "",
                   int(fd.findtext("SizeInBytes") or 0), fd.findtext("Sender") or "",
                   fd.findtext("SendersFileId") or "", tuple(r.text or "" for r in fd.findall("Recipients")),
                   routing.findtext("SenderTimestamp") or "", routing.findtext("RecipientIt-system") or "",
                   routing.findtext("RecipientAuthority") or "")
