"""Qt-free HTTPS layer: the local CA, ClientHello parsing and JA4, the sans-IO TLS session.

Nothing here touches a socket: the server loop feeds bytes in and sends the bytes
that come out (docs/ARCHITECTURE.md, "Layers").
"""
