"""Scanning: one resolver for every code, a server-side image decoder, the phone workflows."""
from flask import Blueprint

bp = Blueprint("scanning", __name__, url_prefix="/scan")
