package io.fomo.shared.events;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

@Entity
@Table(name = "test_counter")
public class TestCounter extends PanacheEntityBase {
    @Id
    public String name;
    public long value;
}
