"""A call participant that is not a browser, written from docs/SIGNALING.md and docs/API.md
only: aiortc (Python's WebRTC stack) joins a meeting's call over the REST API with a Bearer
token, sends a video track, and receives the others' video.

    python peer.py --base http://127.0.0.1:3000 --token JWT --meeting 7 --frames 30

It prints one JSON line per event on stdout (`joined`, `link`, `connected`, `frames`, `done`)
and exits 0 once it has decoded `--frames` video frames from every other participant it linked
with, or 1 if that has not happened within `--seconds`.
"""

import argparse
import asyncio
import json
import secrets
import sys
import time

import aiohttp
from aiortc import RTCPeerConnection, RTCSessionDescription, VideoStreamTrack
from aiortc.sdp import candidate_from_sdp


def say(event, **fields):
    print(json.dumps({"event": event, **fields}), flush=True)


class Link:
    """One peer connection to one other user's page."""

    def __init__(self, peer, uid, link_id, remote_instance):
        self.peer = peer
        self.uid = uid
        self.id = link_id
        self.remote_instance = remote_instance
        self.frames = 0
        self.created = time.monotonic()
        self.pc = RTCPeerConnection()
        self.pc.addTrack(VideoStreamTrack())
        self.pc.on("track", self.on_track)
        self.pc.on("connectionstatechange", self.on_state)

    def on_track(self, track):
        if track.kind == "video":
            asyncio.ensure_future(self.count_frames(track))

    async def count_frames(self, track):
        while True:
            try:
                await track.recv()
            except Exception:
                return
            self.frames += 1
            if self.frames % 10 == 0:
                say("frames", user=self.uid, frames=self.frames)

    async def on_state(self):
        say("state", user=self.uid, state=self.pc.connectionState)

    def route(self):
        route = {"from": self.peer.instance}
        if self.remote_instance:
            route["to"] = self.remote_instance
        if self.id:
            route["link"] = self.id
        return route

    async def close(self):
        await self.pc.close()


class Peer:
    def __init__(self, args, session):
        self.args = args
        self.http = session
        self.api = f"{args.base}/api/meetings/{args.meeting}"
        self.instance = secrets.token_hex(6)
        self.me = None
        self.links = {}
        self.made = 0
        self.since_id = 0
        self.sending = asyncio.Lock()

    async def call(self, method, path, body=None):
        headers = {"Authorization": f"Bearer {self.args.token}"}
        async with self.http.request(method, f"{self.api}{path}", json=body, headers=headers) as res:
            data = await res.json(content_type=None)
            if res.status >= 400:
                raise RuntimeError(f"{method} {path}: {res.status} {data}")
            return data

    async def send(self, uid, kind, payload):
        # One at a time, so each pair's signals keep their order (SIGNALING.md, section 2).
        async with self.sending:
            await self.call("POST", "/rtc/send", {"to_user_id": uid, "type": kind, "payload": payload})

    def offers_to(self, uid):
        # The lower user id offers (section 4).
        return self.me < uid

    async def offer(self, link):
        await link.pc.setLocalDescription(await link.pc.createOffer())
        sdp = {"type": "offer", "sdp": link.pc.localDescription.sdp}
        await self.send(link.uid, "offer", {**link.route(), "sdp": sdp})

    def new_link(self, uid, remote_instance):
        old = self.links.pop(uid, None)
        if old:
            asyncio.ensure_future(old.close())
        link_id = None
        if self.offers_to(uid):
            self.made += 1
            link_id = f"{self.instance}-{self.made}"
        link = Link(self, uid, link_id, remote_instance)
        self.links[uid] = link
        say("link", user=uid, id=link_id, offering=self.offers_to(uid))
        return link

    async def presence_loop(self):
        while True:
            present = await self.call("GET", "/participants?active=1")
            for p in present:
                uid = p["user_id"]
                if uid == self.me or uid in self.links:
                    continue
                link = self.new_link(uid, None)
                if self.offers_to(uid):
                    await self.offer(link)
                else:
                    # The answering side asks for an offer (section 5).
                    await self.send(uid, "candidate", {"from": self.instance, "kind": "hello"})
            await asyncio.sleep(1)

    async def handle(self, signal):
        uid, kind, payload = signal["from_user_id"], signal["type"], signal["payload"]
        sender, to, link_id = payload.get("from", ""), payload.get("to"), payload.get("link")
        if isinstance(to, str) and to != self.instance:
            return  # meant for another page of ours
        link = self.links.get(uid)
        if kind == "bye":
            if link and link.remote_instance in (None, sender):
                self.links.pop(uid, None)
                await link.close()
            return
        ckind = payload.get("kind", "ice") if kind == "candidate" else None
        if kind == "offer" or ckind == "hello":
            known = link.remote_instance if link else None
            if link is None or (known and known != sender):
                link = self.new_link(uid, sender)
            if ckind == "hello":
                young = time.monotonic() - link.created < 3
                if self.offers_to(uid) and (link.pc.localDescription is None or
                                            (not young and link.pc.connectionState != "connected")):
                    if link.pc.localDescription is not None:
                        link = self.new_link(uid, sender)
                    await self.offer(link)
                return
        if link is None:
            return
        if link.remote_instance is None:
            link.remote_instance = sender
        if kind == "offer":
            if not self.offers_to(uid) and link_id and link_id != link.id:
                if link.id:
                    link = self.new_link(uid, sender)
                link.id = link_id
            await link.pc.setRemoteDescription(RTCSessionDescription(**payload["sdp"]))
            await link.pc.setLocalDescription(await link.pc.createAnswer())
            sdp = {"type": "answer", "sdp": link.pc.localDescription.sdp}
            await self.send(uid, "answer", {**link.route(), "sdp": sdp})
        elif kind == "answer":
            if link_id == link.id and link.pc.signalingState == "have-local-offer":
                await link.pc.setRemoteDescription(RTCSessionDescription(**payload["sdp"]))
        elif ckind == "ice" and link_id == link.id:
            init = payload.get("candidate") or {}
            text = init.get("candidate", "")
            if text.startswith("candidate:"):
                candidate = candidate_from_sdp(text[len("candidate:"):])
                candidate.sdpMid = init.get("sdpMid")
                candidate.sdpMLineIndex = init.get("sdpMLineIndex")
                await link.pc.addIceCandidate(candidate)

    async def inbox_loop(self):
        while True:
            batch = await self.call("GET", f"/rtc/inbox?since_id={self.since_id}&wait=25&limit=200")
            for signal in batch:
                self.since_id = max(self.since_id, signal["id"])
                await self.handle(signal)
            if batch:
                await self.call("POST", "/rtc/ack", {"ids": [s["id"] for s in batch]})

    def done(self):
        return self.links and all(link.frames >= self.args.frames for link in self.links.values())

    async def run(self):
        me = await self.http.get(
            f"{self.args.base}/api/auth/me", headers={"Authorization": f"Bearer {self.args.token}"}
        )
        self.me = (await me.json())["id"]
        await self.call("POST", "/presence/join")
        say("joined", user=self.me, instance=self.instance)
        tasks = [asyncio.ensure_future(self.inbox_loop()), asyncio.ensure_future(self.presence_loop())]
        deadline = time.monotonic() + self.args.seconds
        try:
            while time.monotonic() < deadline:
                if self.done():
                    break
                for task in tasks:
                    if task.done() and task.exception():
                        raise task.exception()
                await asyncio.sleep(0.2)
        finally:
            ok = bool(self.done())
            say("done", ok=ok, frames={str(uid): link.frames for uid, link in self.links.items()})
            for task in tasks:
                task.cancel()
            for uid, link in list(self.links.items()):
                # `bye` carries no link (section 3).
                bye = {k: v for k, v in link.route().items() if k != "link"}
                await self.send(uid, "bye", bye)
                await link.close()
            await self.call("POST", "/presence/leave")
        return ok


async def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--base", required=True)
    parser.add_argument("--token", required=True)
    parser.add_argument("--meeting", type=int, required=True)
    parser.add_argument("--frames", type=int, default=30)
    parser.add_argument("--seconds", type=float, default=45)
    args = parser.parse_args()
    async with aiohttp.ClientSession() as session:
        ok = await Peer(args, session).run()
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    asyncio.run(main())
