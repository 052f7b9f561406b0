"""Administrative areas as a tree: county → township → village → villagers' group."""

from __future__ import annotations

from sqlalchemy import Boolean, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from povdesk.model.base import Base


class Area(Base):
    __tablename__ = "area"

    id: Mapped[int] = mapped_column(primary_key=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("area.id", ondelete="RESTRICT"), index=True)
    level: Mapped[str] = mapped_column(String(16))  # codes.AREA_LEVEL
    code: Mapped[str | None] = mapped_column(String(12), index=True)  # statistical division code
    name: Mapped[str] = mapped_column(String(64), index=True)
    # Materialised path of ids, "1/5/23/": a subtree is `path LIKE '1/5/%'` on every database.
    path: Mapped[str] = mapped_column(String(128), index=True)
    sort_order: Mapped[int] = mapped_column(Integer, default=0)
    is_poor_village: Mapped[bool] = mapped_column(Boolean, default=False)
    poor_village_exit_year: Mapped[int | None] = mapped_column(Integer)

    parent: Mapped[Area | None] = relationship(remote_side=[id], back_populates="children")
    children: Mapped[list[Area]] = relationship(back_populates="parent", order_by="Area.sort_order")

    def __repr__(self) -> str:
        return f"Area({self.id}, {self.level}, {self.name!r})"


class AreaPopulation(Base):
    """The rural population (农村人口) of an area in a year: the denominator of the poverty incidence."""

    __tablename__ = "area_population"
    __table_args__ = (UniqueConstraint("area_id", "year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    area_id: Mapped[int] = mapped_column(ForeignKey("area.id", ondelete="CASCADE"))
    year: Mapped[int] = mapped_column(Integer)
    rural_population: Mapped[int] = mapped_column(Integer)
