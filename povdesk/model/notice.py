"""Two public notices and one announcement (两公示一公告): batches, stages, households and objections."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Date, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint, func
from sqlalchemy.orm import Mapped, mapped_column, relationship

from povdesk.model.base import Base


class NoticeBatch(Base):
    __tablename__ = "notice_batch"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))  # codes.NOTICE_KIND
    year: Mapped[int] = mapped_column(Integer, index=True)
    area_id: Mapped[int] = mapped_column(ForeignKey("area.id"), index=True)
    title: Mapped[str | None] = mapped_column(String(128))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, server_default=func.current_timestamp())
    completed_on: Mapped[dt.date | None] = mapped_column(Date)

    # Deleting a batch (allowed only before it is posted) deletes its stages and items; the database cascades too.
    stages: Mapped[list[NoticeStage]] = relationship(
        back_populates="batch", order_by="NoticeStage.seq", cascade="all, delete-orphan", passive_deletes=True
    )
    items: Mapped[list[NoticeItem]] = relationship(
        back_populates="batch", cascade="all, delete-orphan", passive_deletes=True
    )


class NoticeStage(Base):
    __tablename__ = "notice_stage"
    __table_args__ = (UniqueConstraint("batch_id", "stage"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("notice_batch.id", ondelete="CASCADE"), index=True)
    stage: Mapped[str] = mapped_column(String(24))  # codes.NOTICE_STAGE
    seq: Mapped[int] = mapped_column(Integer)
    started_on: Mapped[dt.date | None] = mapped_column(Date)
    period_days: Mapped[int | None] = mapped_column(Integer)
    ended_on: Mapped[dt.date | None] = mapped_column(Date)
    issuer: Mapped[str | None] = mapped_column(String(64))
    note: Mapped[str | None] = mapped_column(Text)  # the review or approval opinion (审核意见)
    recorded_by: Mapped[str | None] = mapped_column(String(64))

    batch: Mapped[NoticeBatch] = relationship(back_populates="stages")


class NoticeItem(Base):
    __tablename__ = "notice_item"
    __table_args__ = (UniqueConstraint("batch_id", "household_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("notice_batch.id", ondelete="CASCADE"), index=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("household.id", ondelete="CASCADE"), index=True)
    withdrawn_on: Mapped[dt.date | None] = mapped_column(Date)
    withdrawn_reason: Mapped[str | None] = mapped_column(Text)

    batch: Mapped[NoticeBatch] = relationship(back_populates="items")


class Objection(Base):
    __tablename__ = "objection"

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("notice_batch.id", ondelete="CASCADE"), index=True)
    stage: Mapped[str] = mapped_column(String(24))
    household_id: Mapped[int | None] = mapped_column(ForeignKey("household.id", ondelete="SET NULL"))
    received_on: Mapped[dt.date] = mapped_column(Date)
    raised_by: Mapped[str | None] = mapped_column(String(64))
    content: Mapped[str] = mapped_column(Text)
    resolution: Mapped[str | None] = mapped_column(Text)
    resolved_on: Mapped[dt.date | None] = mapped_column(Date)
